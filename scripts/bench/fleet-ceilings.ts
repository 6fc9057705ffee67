// The ceilings the fleet's figures are read against, measured in the same run on the same machine:
// Mosquitto's raw QoS 1 publish -> PUBACK rate with the same client code and connection count (no auth,
// no ACL, nothing subscribed: the broker's floor cost per message), and InfluxDB's raw write rate in
// batches of 5,000 points (the cloud's own batch size, RELAIS_TS_BATCH_MAX) straight from `influx`.
import { InfluxDB, type IPoint } from 'influx'
import { findMosquitto, startMosquitto } from '../testkit/mosquitto.js'
import type { FleetWorkers } from './fleet-workers.js'
import type { Credentials } from './workload.js'

export interface MosquittoCeiling {
  clients: number
  /** Outstanding publishes per client. */
  window: number
  pubacksPerSec: number
  failed: number
}

/** Undefined when Mosquitto is not installed (the report says so). */
export async function mosquittoCeiling(
  workers: FleetWorkers,
  creds: Credentials[],
  o: { seconds: number; maxOutstanding: number; concurrency: number },
): Promise<MosquittoCeiling | undefined> {
  if (findMosquitto() === undefined) return undefined
  const broker = await startMosquitto({ users: [], anonymous: true })
  try {
    // Same client ids, no credentials: anonymous clients, so the rate is the broker's and not a check's.
    const anon = creds.map((c) => ({ agent: c.agent, username: '', password: '' }))
    const setup = { port: broker.port, codes: BENCH_ONLY_CODES, t0: Date.now(), session: 'ceiling' }
    await workers.connect({ ...setup, healthS: 0, birth: false }, anon, o.concurrency)
    const window = Math.max(1, Math.floor(o.maxOutstanding / creds.length))
    const parts = await workers.saturate(window, o.seconds * 1000)
    await workers.close()
    const seconds = Math.max(...parts.map((p) => p.seconds))
    return {
      clients: creds.length,
      window,
      pubacksPerSec: parts.reduce((s, p) => s + p.acked, 0) / seconds,
      failed: parts.reduce((s, p) => s + p.failed, 0),
    }
  } finally {
    await broker.stop()
  }
}

// The scan envelopes need codes only to be well-formed; the ceiling's broker never reads them.
const BENCH_ONLY_CODES = ['4012345000001']

export interface InfluxCeiling {
  batch: number
  batches: number
  pointsPerSec: number
}

/** Writes batches of `batch` health-like points, one request at a time as the cloud's sink does. */
export async function influxCeiling(url: string, seconds: number, batch = 5000): Promise<InfluxCeiling> {
  const u = new URL(url)
  const database = 'relais_fleet_ceiling'
  const client = new InfluxDB({ host: u.hostname, port: Number(u.port), database })
  await client.createDatabase(database)
  const t0 = Date.now() - 3_600_000
  let n = 0
  let batches = 0
  const started = performance.now()
  while (performance.now() - started < seconds * 1000) {
    const points: IPoint[] = []
    for (let i = 0; i < batch; i++, n++) {
      points.push({
        measurement: 'health',
        tags: { agent: `bench-${n % 10_000}` },
        fields: { uptime_s: n, rss_bytes: 40_000_000 + (n % 1000), outbox_depth: 0, clock_synced: true },
        // One point per agent per ms step: no two points share a series and a timestamp.
        timestamp: t0 + Math.floor(n / 10_000),
      })
    }
    await client.writePoints(points, { precision: 'ms' })
    batches++
  }
  return { batch, batches, pointsPerSec: n / ((performance.now() - started) / 1000) }
}
