// Health history in a real InfluxDB (the Debian package's 1.6): the sink's setup makes the long
// retention policy and the continuous query, again without error after a restart (and adjusts the
// policy's duration), and the CQ's query, forced as a backfill, writes 5-minute means per agent, which
// the sink reads back under their plain field names.
import { InfluxDB } from 'influx'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findInfluxd, startInfluxd } from '../../scripts/testkit/influxd.js'
import { serviceAvailable } from '../../scripts/testkit/services.js'
import { InfluxSink, type Point } from '../src/timeseries/index.js'
import { DOWNSAMPLE_RP, HEALTH_CQ, healthDownsampleSelect } from '../src/timeseries/influx-downsample.js'

const bin = findInfluxd()
const available = serviceAvailable('influxd', bin, 'apt-get install influxdb')
const t = suite('health downsampling in a real InfluxDB')
const it = available ? t : t.skip
const log = pino({ level: process.env.RELAIS_TEST_LOG ?? 'silent' })
const DATABASE = 'relais_downsample'
const FIVE_MIN = 300_000
// A bucket boundary an hour ago: recent enough for any policy, settled for a backfill.
// On a 10-minute boundary: the read below groups by time(10m), and InfluxDB aligns those buckets to the
// epoch, so a T0 on an odd 5 minutes split the pair (the test failed in every other 5 minutes).
const T0 = Math.floor((Date.now() - 3_600_000) / (2 * FIVE_MIN)) * (2 * FIVE_MIN)

const health = (agent: string, ts: number, outbox: number, battery: number): Point => ({
  measurement: 'health',
  tags: { agent },
  fields: { outbox_depth: outbox, battery, charging: true },
  ts,
  ints: ['outbox_depth'],
})

function sink(url: string, downsampleRetention: string): InfluxSink {
  return new InfluxSink({ url, database: DATABASE, retention: '7d', downsampleRetention, log })
}

async function setupState(c: InfluxDB) {
  const rps = await c.showRetentionPolicies(DATABASE)
  const cqs = await c.showContinousQueries(DATABASE)
  return {
    raw: rps.find((p) => p.name === 'relais'),
    long: rps.find((p) => p.name === DOWNSAMPLE_RP),
    cqs: cqs.filter((q) => q.name === HEALTH_CQ).map((q) => q.query),
  }
}

it('makes the policy and the CQ at start, again on a restart, and the CQ writes means', async () => {
  const influxd = await startInfluxd({ bin })
  const u = new URL(influxd.url)
  const c = new InfluxDB({ host: u.hostname, port: Number(u.port), database: DATABASE })
  try {
    const first = sink(influxd.url, '365d')
    await first.start()
    // write() waits for the setup and throws if it failed: the setup's own test.
    await first.write([
      health('pi-1', T0, 1, 80),
      health('pi-1', T0 + 60_000, 2, 79),
      health('pi-1', T0 + 240_000, 6, 78),
      health('pi-2', T0 + 120_000, 10, 50),
      health('pi-1', T0 + FIVE_MIN, 4, 70),
    ])
    first.stop()
    let state = await setupState(c)
    assert.ok(state.raw?.default, 'raw health stays in the default policy')
    assert.is(state.raw?.duration, '168h0m0s')
    assert.is(state.long?.duration, '8760h0m0s')
    assert.not.ok(state.long?.default)
    assert.is(state.cqs.length, 1)
    assert.match(state.cqs[0]!, /INTO relais_downsample\.relais_downsampled\.health_5m/)
    assert.match(state.cqs[0]!, /GROUP BY time\(5m\), \*/)

    // A restart with a new long retention: no error, one CQ still, the policy adjusted.
    const second = sink(influxd.url, '52w')
    await second.start()
    await second.write([health('pi-3', T0, 0, 1)])
    second.stop()
    state = await setupState(c)
    assert.is(state.cqs.length, 1)
    assert.is(state.long?.duration, '8736h0m0s')

    await c.query(healthDownsampleSelect(DATABASE, 'relais', { from: T0, to: T0 + 2 * FIVE_MIN }))
    const rows = await c.query<Record<string, unknown>>(
      `SELECT * FROM "${DOWNSAMPLE_RP}"."health_5m" WHERE "agent" = 'pi-1' OR "agent" = 'pi-2'`,
      { precision: 'ms' },
    )
    const got = rows.map((r) => [
      (r.time as Date).getTime() - T0,
      r.agent,
      r.mean_outbox_depth,
      r.mean_battery,
    ])
    got.sort((a, b) => (a[0] as number) - (b[0] as number) || String(a[1]).localeCompare(String(b[1])))
    assert.equal(got, [
      [0, 'pi-1', 3, 79],
      [0, 'pi-2', 10, 50],
      [FIVE_MIN, 'pi-1', 4, 70],
    ])
    assert.not.ok('mean_charging' in (rows[0] ?? {}), 'booleans are not averaged')

    // Through the sink, health_5m reads as from the embedded store: plain field names, the long policy.
    const reader = sink(influxd.url, '52w')
    const read = await reader.query({
      measurement: 'health_5m',
      from: T0,
      to: T0 + 2 * FIVE_MIN,
      where: { agent: 'pi-1' },
      fields: ['outbox_depth', 'battery'],
      downsample: { everyMs: 2 * FIVE_MIN, agg: 'mean' },
    })
    reader.stop()
    assert.equal(
      read.map((r) => [r.ts - T0, r.fields]),
      [[0, { outbox_depth: 3.5, battery: 74.5 }]],
    )
  } finally {
    await influxd.stop()
  }
})

t.run()
