// The agent bench's machinery end to end, briefly: cloud, agents (bundle and tsx) and baseline clients
// as processes, a short window per phase, a small drain. Only that every phase produced a number in
// every column and every scan arrived; speed is the bench's business, never a test's.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { agentVerdicts, COLUMNS, formatAgentReport } from '../bench/agent-report.js'
import { runAgentBench } from '../bench/agent-run.js'

const t = suite('agent bench smoke')

t('runs every phase against its baseline and fills every column of the report', async () => {
  const run = await runAgentBench({
    forms: ['bundle', 'tsx'],
    settleSeconds: 0.5,
    idleSeconds: 1,
    outboxSeconds: 0.3,
    drainEvents: 100,
    drainWindows: [20],
    latencyRate: 50,
    latencySeconds: 1,
  })
  assert.equal(agentVerdicts(run).errors, [])

  const lines = formatAgentReport(run).split('\n')
  const header = lines.find((l) => l.startsWith('phase'))
  assert.ok(header, 'no table header')
  assert.is(header.trim().split(/\s{2,}/).length, COLUMNS.length, header)
  for (const c of COLUMNS) assert.ok(header.includes(c), `column ${c} missing`)
  const rows = lines.filter((l) => /^(idle|outbox|drain|latency)\s{2}/.test(l))
  assert.equal(
    rows.map((r) => r.split(/\s{2,}/)[0]),
    ['idle', 'idle', 'outbox', 'drain', 'latency'],
  )
  for (const r of rows) {
    const cells = r.trim().split(/\s{2,}/)
    assert.is(cells.length, COLUMNS.length, r)
    for (const cell of cells)
      assert.ok(cell !== '-' && !/NaN|Infinity|(^|\s)-(x|\s|$)/.test(cell), `unfilled: ${r}`)
  }
  assert.ok(lines.some((l) => l.startsWith('goal: agent idle RSS')))
  assert.ok(lines.some((l) => l.startsWith('checks: every drained scan')))
})

t.run()
