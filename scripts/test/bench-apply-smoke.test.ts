// bench:apply end to end, briefly: two batch sizes, a few hundred events. Only that both paths ran, every
// scan was applied with an expected outcome and the report is whole; speed is the bench's business.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')

test('the writer path and its baseline are measured per batch size, and every scan is applied', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench/apply.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BENCH_APPLY_BATCHES: '1,50', BENCH_APPLY_EVENTS: '200', BENCH_APPLY_RUNS: '1' },
    timeout: 120_000,
  })
  assert.is(r.status, 0, r.stderr)
  const lines = r.stdout.split('\n')
  for (const batch of [1, 50])
    for (const path of ['baseline', 'relais'])
      assert.ok(
        lines.some((l) => new RegExp(`^\\s*${batch}\\s+${path}\\s+[\\d.]+\\s+[\\d.]+\\s+\\d+`).test(l)),
        `no ${path} row for batch ${batch}`,
      )
  assert.ok(
    lines.some((l) => /^\s*50\s+relais\s.*\d+\.\dx$/.test(l)),
    'no ratio to the baseline',
  )
  const acks = lines.find((l) => l.startsWith('acks: '))
  assert.ok(acks && !acks.includes('UNEXPECTED'), acks)
  // Warm-up 1,000 + batch 1: 20 (a tenth of 200) + batch 50: 200, all fresh scans of the bench codes.
  const total = [...acks.matchAll(/(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0)
  assert.is(total, 1220)
})

test.run()
