// The InfluxDB sink against a real influxd (the Debian `influxdb` package), started by the test on free
// loopback ports with a temp dir: 10,000 scan points written and counted back with InfluxQL, then an
// outage: points recorded while nothing listens all arrive once the server comes up.
import { InfluxDB } from 'influx'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findInfluxd, startInfluxd } from '../../scripts/testkit/influxd.js'
import { freePort, serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { InfluxSink, type Point, TimeSeries } from '../src/timeseries/index.js'

const bin = findInfluxd()
const available = serviceAvailable('influxd', bin, 'apt-get install influxdb')
const t = suite('time series in a real InfluxDB')
const it = available ? t : t.skip
const log = pino({ level: process.env.RELAIS_TEST_LOG ?? 'silent' })

const DATABASE = 'relais_test'
const SCAN_INTS = ['count'] as const
// Recent enough for any retention policy; one ms apart, because InfluxDB keeps a single point per
// series and timestamp.
const base = Date.now() - 3_600_000

const scan = (i: number): Point => ({
  measurement: 'scan',
  tags: {
    household: `h${i % 10}`,
    agent: `pi-${i % 5}`,
    device: 'scanner-1',
    outcome: i % 7 === 0 ? 'unknown_product' : 'added',
  },
  fields: { count: 1, latency_ms: 2.5 + (i % 100) / 10 },
  ts: base + i,
  ints: SCAN_INTS,
})

function client(url: string): InfluxDB {
  const u = new URL(url)
  return new InfluxDB({ host: u.hostname, port: Number(u.port), database: DATABASE })
}

async function countScans(url: string): Promise<number> {
  const rows = await client(url).query<{ count: number }>('SELECT count("count") FROM "scan"')
  return rows[0]?.count ?? 0
}

it('writes 10,000 scan points in batches and InfluxQL counts every one of them', async () => {
  const influxd = await startInfluxd({ bin })
  const sink = new InfluxSink({ url: influxd.url, database: DATABASE, retention: '30d', log })
  const ts = new TimeSeries({ sink, log, bufferMax: 100_000, batchMax: 5000, flushIntervalMs: 50 })
  try {
    await ts.start()
    for (let i = 0; i < 10_000; i++) ts.record(scan(i))
    await waitFor('10,000 points written', async () => ts.stats().written === 10_000, 60_000)
    assert.is(await countScans(influxd.url), 10_000)
    assert.equal(ts.stats().dropped, 0)

    const policies = await client(influxd.url).showRetentionPolicies(DATABASE)
    const rp = policies.find((p) => p.name === 'relais')
    assert.ok(rp, `no relais retention policy in ${JSON.stringify(policies)}`)
    assert.equal([rp.duration, rp.default], ['720h0m0s', true])

    // The field types are fixed by the first write: count must be an integer, latency a float.
    const keys = await client(influxd.url).query<{ fieldKey: string; fieldType: string }>(
      'SHOW FIELD KEYS FROM "scan"',
    )
    assert.equal(
      keys.map((k) => [k.fieldKey, k.fieldType]),
      [
        ['count', 'integer'],
        ['latency_ms', 'float'],
      ],
    )

    // The sink's own query: raw rows of one household, and an hourly count per outcome.
    const raw = await sink.query({
      measurement: 'scan',
      from: base,
      to: base + 10_000,
      where: { household: 'h3' },
      limit: 5,
    })
    assert.equal(
      raw.map((r) => r.ts - base),
      [3, 13, 23, 33, 43],
    )
    assert.equal(raw[0]?.tags, { household: 'h3', agent: 'pi-3', device: 'scanner-1', outcome: 'added' })
    assert.equal(raw[0]?.fields, { count: 1, latency_ms: 2.8 })
    const injected = await sink.query({
      measurement: 'scan',
      from: base,
      to: base + 10_000,
      where: { household: "h3' OR 1=1" },
    })
    assert.is(injected.length, 0)
    const perOutcome = await sink.query({
      measurement: 'scan',
      from: base - 3_600_000,
      to: base + 3_600_000,
      fields: ['count'],
      downsample: { everyMs: 24 * 3_600_000, agg: 'sum', groupBy: ['outcome'] },
    })
    const totals: Record<string, number> = {}
    for (const r of perOutcome)
      totals[r.tags.outcome!] = (totals[r.tags.outcome!] ?? 0) + (r.fields.count as number)
    assert.equal(totals, { added: 8571, unknown_product: 1429 })
  } finally {
    await ts.stop()
    await influxd.stop()
  }
})

it('keeps points while InfluxDB is down, sets it up and delivers them all once it is up', async () => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const sink = new InfluxSink({ url, database: DATABASE, retention: '7d', log, requestTimeoutMs: 2000 })
  const ts = new TimeSeries({
    sink,
    log,
    bufferMax: 10_000,
    batchMax: 500,
    flushIntervalMs: 20,
    backoff: { initialMs: 20, maxMs: 250 },
  })
  let influxd: Awaited<ReturnType<typeof startInfluxd>> | undefined
  try {
    await ts.start() // nothing listens: start must resolve all the same
    for (let i = 0; i < 2000; i++) ts.record(scan(i))
    await waitFor('writes failing', async () => ts.stats().failedWrites >= 2)
    assert.equal([ts.stats().written, ts.stats().buffered, ts.stats().dropped], [0, 2000, 0])

    influxd = await startInfluxd({ bin, port })
    for (let i = 2000; i < 3000; i++) ts.record(scan(i))
    await waitFor('3,000 points written', async () => ts.stats().written === 3000, 60_000)
    assert.is(await countScans(url), 3000)
    assert.is(ts.stats().dropped, 0)
    const rp = (await client(url).showRetentionPolicies(DATABASE)).find((p) => p.name === 'relais')
    assert.is(rp?.duration, '168h0m0s')
  } finally {
    await ts.stop()
    await influxd?.stop()
  }
})

t.run()
