// The embedded SQLite sink: batch writes, range and tag queries, downsampling, pruning, its own file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RelaisError } from '../src/lib/errors.js'
import { createSink, type Point, SqliteSink, TimeSeries } from '../src/timeseries/index.js'

const t = suite('time series in SQLite')
const log = pino({ level: 'silent' })
const T0 = 1_700_000_000_000
const MIN = 60_000

const scan = (i: number, household: string, outcome = 'added'): Point => ({
  measurement: 'scan',
  tags: { household, agent: 'pi-1', device: 'scanner-1', outcome },
  fields: { count: 1, latency_ms: i },
  ts: T0 + i * MIN,
  ints: ['count'],
})

async function withSink(fn: (sink: SqliteSink) => Promise<void>) {
  const sink = new SqliteSink({ dataDir: ':memory:', log })
  await sink.start()
  try {
    await fn(sink)
  } finally {
    sink.stop()
  }
}

t('writes a batch and reads it back by time range, oldest first, [from, to)', () =>
  withSink(async (sink) => {
    await sink.write([scan(2, 'h1'), scan(0, 'h1'), scan(1, 'h2')])
    await sink.write([{ measurement: 'health', tags: {}, fields: { uptime_s: 5, ok: true }, ts: T0 }])
    const rows = await sink.query({ measurement: 'scan', from: T0, to: T0 + 2 * MIN })
    assert.equal(
      rows.map((r) => [r.ts, r.tags.household, r.fields.latency_ms]),
      [
        [T0, 'h1', 0],
        [T0 + MIN, 'h2', 1],
      ],
    )
    assert.equal(rows[0]?.fields, { count: 1, latency_ms: 0 })
    const health = await sink.query({ measurement: 'health', from: T0, to: T0 + 1 })
    assert.equal(health[0]?.fields, { uptime_s: 5, ok: true })
  }),
)

t('filters by tag, picks fields and honours the limit', () =>
  withSink(async (sink) => {
    await sink.write(Array.from({ length: 10 }, (_, i) => scan(i, i % 2 === 0 ? 'h1' : 'h2')))
    const rows = await sink.query({
      measurement: 'scan',
      from: T0,
      to: T0 + 10 * MIN,
      where: { household: 'h2', agent: 'pi-1' },
      fields: ['latency_ms', 'missing'],
      limit: 3,
    })
    assert.equal(
      rows.map((r) => r.fields),
      [1, 3, 5].map((latency_ms) => ({ latency_ms, missing: null })),
    )
    assert.ok(rows.every((r) => r.tags.household === 'h2'))
    const none = await sink.query({
      measurement: 'scan',
      from: T0,
      to: T0 + 10 * MIN,
      where: { household: "h1' OR 1=1 --" },
    })
    assert.is(none.length, 0)
  }),
)

t('downsamples into epoch-aligned buckets, grouped by tag', () =>
  withSink(async (sink) => {
    // 30 points a minute apart from a whole hour: 10-minute buckets of 10 points each.
    const hour = Math.floor(T0 / 3_600_000) * 3_600_000
    const points = Array.from({ length: 30 }, (_, i) => ({
      ...scan(i, 'h1', i % 3 === 0 ? 'unknown' : 'added'),
      ts: hour + i * MIN,
    }))
    await sink.write(points)
    const q = { measurement: 'scan', from: hour, to: hour + 3_600_000, fields: ['count', 'latency_ms'] }
    const sums = await sink.query({ ...q, downsample: { everyMs: 10 * MIN, agg: 'sum' } })
    assert.equal(
      sums.map((r) => [r.ts - hour, r.fields.count]),
      [
        [0, 10],
        [10 * MIN, 10],
        [20 * MIN, 10],
      ],
    )
    const mean = await sink.query({ ...q, downsample: { everyMs: 10 * MIN, agg: 'mean' } })
    assert.is(mean[0]?.fields.latency_ms, 4.5)
    const last = await sink.query({ ...q, downsample: { everyMs: 10 * MIN, agg: 'last' } })
    assert.equal(
      last.map((r) => r.fields.latency_ms),
      [9, 19, 29],
    )
    const byOutcome = await sink.query({
      ...q,
      fields: ['count'],
      downsample: { everyMs: 3_600_000, agg: 'count', groupBy: ['outcome'] },
    })
    assert.equal(byOutcome.map((r) => [r.tags.outcome, r.fields.count]).sort(), [
      ['added', 20],
      ['unknown', 10],
    ])
  }),
)

t('a large write (several statements of many rows, then single rows) stores every point as given', () =>
  withSink(async (sink) => {
    const points = Array.from({ length: 637 }, (_, i) =>
      scan(i, `h${i % 7}`, i % 3 === 0 ? 'added' : 'unknown'),
    )
    await sink.write(points)
    const rows = await sink.query({ measurement: 'scan', from: 0, to: T0 + 1000 * MIN, limit: 1000 })
    assert.equal(
      rows.map((r) => [r.ts, r.tags.household, r.tags.outcome, r.fields.latency_ms]),
      points.map((p) => [p.ts, p.tags.household, p.tags.outcome, p.fields.latency_ms]),
    )
  }),
)

t('prunes points older than a cutoff, in every measurement', () =>
  withSink(async (sink) => {
    // Pruning goes measurement by measurement: the first, the last and one between are all reached.
    const names = ['alert', 'reject', 'scan']
    await sink.write(
      names.flatMap((measurement) =>
        Array.from({ length: 10 }, (_, i) => ({ ...scan(i, 'h1'), measurement })),
      ),
    )
    assert.is(sink.prune(T0 + 4 * MIN), 12)
    for (const measurement of names) {
      const rows = await sink.query({ measurement, from: 0, to: T0 + 100 * MIN })
      assert.is(rows[0]?.ts, T0 + 4 * MIN, measurement)
      assert.is(rows.length, 6, measurement)
    }
    assert.is(sink.prune(T0 + 4 * MIN), 0, 'nothing left to prune')
  }),
)

t('refuses a malformed query with invalid_request', () =>
  withSink(async (sink) => {
    for (const bad of [
      { measurement: 'scan', from: 10, to: 5 },
      { measurement: 'sc"an', from: 0, to: 5 },
      {
        measurement: 'scan',
        from: 0,
        to: 5,
        downsample: { everyMs: 0, agg: 'mean' as const },
        fields: ['x'],
      },
      {
        measurement: 'scan',
        from: 0,
        to: 5,
        downsample: { everyMs: 10, agg: 'median' as 'mean' },
        fields: ['x'],
      },
      { measurement: 'scan', from: 0, to: 5, downsample: { everyMs: 10, agg: 'mean' as const } },
      { measurement: 'scan', from: 0, to: 5, limit: 0 },
    ]) {
      try {
        await sink.query(bad)
        assert.unreachable(`accepted ${JSON.stringify(bad)}`)
      } catch (err) {
        assert.instance(err, RelaisError)
        assert.is((err as RelaisError).code, 'invalid_request')
      }
    }
  }),
)

t('without InfluxDB configured, TimeSeries writes to timeseries.db in the data dir', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-ts-'))
  try {
    const sink = createSink({ dataDir, influx: undefined }, log)
    assert.is(sink.name, 'sqlite')
    const ts = new TimeSeries({ sink, log, bufferMax: 1000, batchMax: 100, flushIntervalMs: 10 })
    await ts.start()
    // Recent points: the sink prunes anything older than 90 days when it starts.
    const recent = Date.now() - 300 * MIN
    for (let i = 0; i < 250; i++) ts.record({ ...scan(i, 'h1'), ts: recent + i * MIN })
    while (ts.stats().written < 250) await new Promise((r) => setTimeout(r, 5))
    const rows = await ts.query({ measurement: 'scan', from: recent, to: recent + 250 * MIN })
    assert.is(rows.length, 250)
    await ts.stop()
    assert.ok(existsSync(join(dataDir, 'timeseries.db')))
    const reopened = new SqliteSink({ dataDir, log })
    await reopened.start()
    assert.is(
      (await reopened.query({ measurement: 'scan', from: recent, to: recent + 250 * MIN })).length,
      250,
    )
    reopened.stop()
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
})

t.run()
