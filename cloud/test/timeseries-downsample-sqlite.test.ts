// Health history in the embedded store: the roll-up job on a fake clock writes 5-minute means per agent
// into health_5m, never counts a point twice (two runs, a crash between windows), and applies the raw
// and rolled retentions, raw health going only once rolled up.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Point, SqliteSink } from '../src/timeseries/index.js'

const t = suite('health roll-up in SQLite')
const log = pino({ level: 'silent' })
const MIN = 60_000
const DAY = 86_400_000
const T0 = 1_700_000_100_000 - (1_700_000_100_000 % (5 * MIN)) // a bucket boundary

const health = (agent: string, ts: number, outbox: number, battery: number): Point => ({
  measurement: 'health',
  tags: { agent },
  fields: { outbox_depth: outbox, battery, charging: true },
  ts,
  ints: ['outbox_depth'],
})

async function withSink(
  clock: { now: number },
  fn: (sink: SqliteSink, run: () => Promise<number>) => Promise<void>,
) {
  const sink = new SqliteSink({
    dataDir: ':memory:',
    log,
    // A day between runs: the test runs the job itself, on its clock.
    healthRollup: {
      rawRetentionMs: 7 * DAY,
      rolledRetentionMs: 30 * DAY,
      intervalMs: DAY,
      now: () => clock.now,
    },
  })
  await sink.start()
  try {
    await fn(sink, () => sink.healthRollup!.runOnce())
  } finally {
    await sink.stop()
  }
}

const rolled = (sink: SqliteSink, from = 0) =>
  sink.query({ measurement: 'health_5m', from, to: Number.MAX_SAFE_INTEGER })

t('5-minute means per agent, numeric fields only, integer fields averaged exactly', () => {
  const clock = { now: T0 }
  return withSink(clock, async (sink, run) => {
    await sink.write([
      health('pi-1', T0, 1, 80),
      health('pi-1', T0 + MIN, 2, 79.5),
      health('pi-1', T0 + 4 * MIN, 6, 79),
      health('pi-2', T0 + 2 * MIN, 10, 50),
      health('pi-1', T0 + 5 * MIN, 4, 78), // the next bucket
    ])
    assert.is(await run(), 0, 'nothing settled yet')
    clock.now = T0 + 20 * MIN
    assert.is(await run(), 3)
    const rows = await rolled(sink)
    assert.equal(
      rows.map((r) => [r.ts, r.tags, r.fields]),
      [
        [T0, { agent: 'pi-1' }, { outbox_depth: 3, battery: 79.5 }],
        [T0, { agent: 'pi-2' }, { outbox_depth: 10, battery: 50 }],
        [T0 + 5 * MIN, { agent: 'pi-1' }, { outbox_depth: 4, battery: 78 }],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    )
    // An integer field's mean is not rounded: the embedded store has no field types to keep.
    await sink.write([health('pi-3', T0 + 30 * MIN, 1, 1), health('pi-3', T0 + 31 * MIN, 2, 1)])
    clock.now = T0 + 60 * MIN
    await run()
    const pi3 = await sink.query({
      measurement: 'health_5m',
      from: 0,
      to: T0 + DAY,
      where: { agent: 'pi-3' },
    })
    assert.equal(
      pi3.map((r) => r.fields.outbox_depth),
      [1.5],
    )
  })
})

t('a second run, or two runs at once, never count a bucket twice', () => {
  const clock = { now: T0 + 20 * MIN }
  return withSink(clock, async (sink, run) => {
    await sink.write([health('pi-1', T0, 2, 80), health('pi-1', T0 + MIN, 4, 80)])
    assert.is(await run(), 1)
    assert.is(await run(), 0)
    clock.now += 5 * MIN
    await run()
    const rows = await rolled(sink)
    assert.is(rows.length, 1)
    assert.is(rows[0]?.fields.outbox_depth, 3)
    // Two runs at once over several windows (they yield between windows): each bucket once.
    await sink.write([1, 2, 3, 4].map((h) => health('pi-1', T0 + h * 3_600_000, h, 80)))
    clock.now = T0 + 5 * 3_600_000
    const counts = await Promise.all([run(), run()])
    assert.is(counts[0]! + counts[1]!, 4)
    assert.equal(
      (await rolled(sink)).map((r) => r.fields.outbox_depth),
      [3, 1, 2, 3, 4],
    )
  })
})

t('a run resumes at the last committed window (each window commits with its watermark)', () => {
  const clock = { now: T0 + 3 * 3_600_000 }
  return withSink(clock, async (sink, run) => {
    // Three half-hour windows with one point each; the first run settles and commits two of them.
    await sink.write([0, 40, 70].map((m) => health('pi-1', T0 + m * MIN, m, 50)))
    clock.now = T0 + 70 * MIN // settles the windows [T0, T0+30m) and [T0+30m, T0+60m) only
    assert.is(await run(), 2)
    clock.now = T0 + 3 * 3_600_000
    assert.is(await run(), 1)
    const rows = await rolled(sink)
    assert.equal(
      rows.map((r) => r.fields.outbox_depth),
      [0, 40, 70],
    )
  })
})

t('a window that fails half-written leaves nothing behind, and the next run writes it once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-rollup-'))
  const clock = { now: T0 }
  const sink = new SqliteSink({
    dataDir,
    log,
    healthRollup: { rawRetentionMs: 0, rolledRetentionMs: 0, intervalMs: DAY, now: () => clock.now },
  })
  const other = new SQLite(join(dataDir, 'timeseries.db'))
  try {
    await sink.start()
    await sink.write([health('pi-1', T0, 1, 50), health('pi-1', T0 + 40 * MIN, 2, 50)])
    await sink.write([health('pi-2', T0 + 41 * MIN, 3, 50)])
    // A crash stand-in: the second window's second insert fails, after its first one ran.
    other.exec(`CREATE TRIGGER boom BEFORE INSERT ON points
      WHEN NEW.measurement = 'health_5m' AND NEW.tags LIKE '%pi-2%' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
    clock.now = T0 + 2 * 3_600_000
    const err = await sink.healthRollup!.runOnce().then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.match(String(err), /boom/)
    assert.equal(
      (await rolled(sink)).map((r) => r.tags.agent),
      ['pi-1'],
      'the first window committed, the failed one left nothing',
    )
    other.exec('DROP TRIGGER boom')
    await sink.healthRollup!.runOnce()
    await sink.healthRollup!.runOnce()
    assert.equal(
      (await rolled(sink)).map((r) => [r.tags.agent, r.fields.outbox_depth]),
      [
        ['pi-1', 1],
        ['pi-1', 2],
        ['pi-2', 3],
      ],
    )
  } finally {
    other.close()
    await sink.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

t('raw health goes after its retention once rolled up, means after theirs; the rest as before', () => {
  const clock = { now: T0 }
  return withSink(clock, async (sink, run) => {
    await sink.write([
      health('pi-1', T0, 1, 80),
      health('pi-1', T0 + 8 * DAY, 2, 70),
      { measurement: 'scan', tags: { agent: 'pi-1' }, fields: { count: 1 }, ts: T0, ints: ['count'] },
    ])
    clock.now = T0 + 9 * DAY
    await run()
    const raw = await sink.query({ measurement: 'health', from: 0, to: Number.MAX_SAFE_INTEGER })
    assert.equal(
      raw.map((r) => r.ts),
      [T0 + 8 * DAY],
      'the 9-day-old raw point is gone, the 1-day-old one stays',
    )
    assert.is((await rolled(sink)).length, 2, 'both are in health_5m')
    assert.is((await sink.query({ measurement: 'scan', from: 0, to: T0 + 1 })).length, 1)
    // The sink's own 90-day pruning leaves health to the roll-up's retentions.
    assert.is(sink.prune(T0 + 30 * DAY), 1, 'only the scan point')
    clock.now = T0 + 31 * DAY
    await run()
    assert.equal(
      (await rolled(sink)).map((r) => r.ts),
      [T0 + 8 * DAY],
    )
  })
})

t('raw health already past its retention is rolled up before it is deleted', () => {
  const clock = { now: T0 + 10 * DAY }
  return withSink(clock, async (sink, run) => {
    // The job's own start-up run saw an empty store; these arrive late (an agent's backlog).
    await sink.write([health('pi-1', T0, 5, 60)])
    await run()
    assert.equal(
      (await rolled(sink)).map((r) => r.fields.outbox_depth),
      [5],
    )
    assert.is((await sink.query({ measurement: 'health', from: 0, to: T0 + DAY })).length, 0)
  })
})

t.run()
