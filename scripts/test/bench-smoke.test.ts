// The bench machinery end to end, briefly: both servers as processes, 2 clients, ~1 s per phase. Only
// that acks come back and the report is whole; speed is the bench's business, never a test's.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { COLUMNS, EXPECTED_OUTCOMES, formatReport } from '../bench/report.js'
import { runBench } from '../bench/run.js'

const t = suite('bench smoke')

t('runs saturation and fixed-rate phases against relais and bare, and reports every column', async () => {
  const run = await runBench({
    clientCounts: [2],
    seconds: 1,
    warmupSeconds: 0.2,
    rate: 100,
    window: 8,
    maxOutstanding: 100,
  })
  const seen = run.phases.map((p) => `${p.server} ${p.phase}`).sort()
  assert.equal(seen, ['bare rate', 'bare saturation', 'relais rate', 'relais saturation'])
  for (const p of run.phases) {
    const acks = Object.values(p.outcomes).reduce((s, n) => s + n, 0)
    assert.ok(acks > 0, `${p.server} ${p.phase}: no acks`)
    for (const outcome of Object.keys(p.outcomes))
      assert.ok(EXPECTED_OUTCOMES[p.server]!.includes(outcome), `${p.server} ${p.phase}: ack ${outcome}`)
  }

  const lines = formatReport(run).split('\n')
  const header = lines.find((l) => l.trimStart().startsWith('clients'))
  assert.ok(header, 'no table header')
  for (const c of COLUMNS) assert.ok(header.includes(c), `column ${c} missing`)
  for (const server of ['relais', 'bare']) {
    const rows = lines.filter((l) => new RegExp(`^\\s*2\\s+${server}\\s`).test(l))
    assert.is(rows.length, 2, `${server}: a row per phase`)
    for (const r of rows) assert.is(r.trim().split(/\s{2,}/).length, COLUMNS.length, r)
  }
  assert.ok(lines.some((l) => l.startsWith('ratio relais/bare, 2 client(s)')))
  // '-' when no ack landed in the 1 s window (a loaded machine): the line is what is checked.
  for (const server of ['relais', 'bare'])
    assert.ok(
      lines.some((l) =>
        new RegExp(`^threads, ${server} at saturation .* event loop (\\d+|-) µs/event, busy \\d+%`).test(l),
      ),
      `${server}: no per-thread line in:\n${lines.filter((l) => l.startsWith('threads')).join('\n')}`,
    )
  assert.ok(lines.some((l) => l.startsWith('goal: relais p99')))
})

t.run()
