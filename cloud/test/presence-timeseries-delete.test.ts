// Deleting time-series points by tag (a member's erasure) and by age (presence retention), on both sinks:
// the embedded SQLite one and a real influxd (DROP SERIES / DELETE with a bound tag value). Points still
// in the buffer are deleted too, so none is written after its erasure.
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findInfluxd, type Influxd, startInfluxd } from '../../scripts/testkit/influxd.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { InfluxSink, type Point, type SeriesSink, SqliteSink, TimeSeries } from '../src/timeseries/index.js'

const log = pino({ level: process.env.RELAIS_TEST_LOG ?? 'silent' })
const bin = findInfluxd()
const influxAvailable = serviceAvailable('influxd', bin, 'apt-get install influxdb')
const base = Date.now() - 3_600_000
const INTS = ['count'] as const

const point = (measurement: string, member: string, ts: number): Point => ({
  measurement,
  tags: { zone: 'shop-door', member, outcome: 'recorded' },
  fields: { count: 1 },
  ts,
  ints: INTS,
})

async function exercise(sink: SeriesSink): Promise<void> {
  const ts = new TimeSeries({ sink, log, bufferMax: 1000, batchMax: 100, flushIntervalMs: 20 })
  await ts.start()
  try {
    const all = async (member?: string) => {
      const rows = await Promise.all(
        ['enter', 'leave'].map((measurement) =>
          ts.query({ measurement, from: 0, to: Date.now(), where: member ? { member } : {} }),
        ),
      )
      return rows.flat()
    }
    for (let i = 0; i < 10; i++) {
      ts.record(point('enter', 'm-one', base + i * 1000))
      ts.record(point('leave', 'm-one', base + i * 1000 + 500))
      ts.record(point('enter', 'm-two', base + i * 1000 + 1))
    }
    await waitFor('30 points written', async () => ts.stats().written === 30, 30_000)
    await ts.delete({ measurements: ['enter', 'leave'], where: { member: 'm-one' } })
    assert.equal(await all('m-one'), [], 'every point of the member is gone')
    assert.is((await all('m-two')).length, 10, 'the other member keeps theirs')

    await ts.delete({ measurements: ['enter', 'leave'], before: base + 5000 })
    const left = await all('m-two')
    assert.equal(
      left.map((r) => r.ts),
      [5, 6, 7, 8, 9].map((i) => base + i * 1000 + 1),
      'only points at or after the limit stay',
    )
  } finally {
    await ts.stop()
  }
}

const t = suite('presence: time-series deletion')

t('SQLite sink: by member tag and by age', async () => {
  await exercise(new SqliteSink({ dataDir: ':memory:', log }))
})

t('a buffered point of an erased member is never written', async () => {
  const sink = new SqliteSink({ dataDir: ':memory:', log })
  const ts = new TimeSeries({ sink, log, bufferMax: 1000, batchMax: 100, flushIntervalMs: 60_000 })
  await ts.start()
  try {
    ts.record(point('enter', 'm-one', base))
    ts.record(point('enter', 'm-two', base + 1))
    await ts.delete({ measurements: ['enter'], where: { member: 'm-one' } })
    assert.is(ts.stats().buffered, 1)
    const rows = await ts.query({ measurement: 'enter', from: 0, to: Date.now() })
    assert.equal(rows, [], 'nothing written yet')
    await ts.stop() // flushes what is left: the other member's point only
    assert.is(ts.stats().written, 1)
  } finally {
    await ts.stop()
  }
})

t('a deletion of everything is refused', async () => {
  const ts = new TimeSeries({
    sink: new SqliteSink({ dataDir: ':memory:', log }),
    log,
    bufferMax: 10,
    batchMax: 5,
    flushIntervalMs: 20,
  })
  await ts.start()
  try {
    await ts.delete({ measurements: ['enter'] }).then(
      () => assert.unreachable('should refuse'),
      (err: { code?: string }) => assert.is(err.code, 'invalid_request'),
    )
  } finally {
    await ts.stop()
  }
})

const it = influxAvailable ? t : t.skip
it('InfluxDB sink: DROP SERIES by member tag, DELETE by age', async () => {
  let influxd: Influxd | undefined
  try {
    influxd = await startInfluxd({ bin })
    await exercise(new InfluxSink({ url: influxd.url, database: 'relais_presence', retention: '30d', log }))
  } finally {
    await influxd?.stop()
  }
})

t.run()
