// Runs the fleet bench: for each fleet size K, a fresh cloud on a provisioned data dir, K lightweight
// agents spread over the worker processes (birth, health every H s, scans at R/s over all of them),
// a measured window of T s once all are connected, then the Mosquitto ceiling with the same K clients.
// InfluxDB's raw write ceiling is measured once, after the last fleet size.
import { loadavg } from 'node:os'
import { type Influxd, startInfluxd } from '../testkit/influxd.js'
import {
  type InfluxCeiling,
  influxCeiling,
  type MosquittoCeiling,
  mosquittoCeiling,
} from './fleet-ceilings.js'
import { type FleetCloud, startFleetCloud } from './fleet-cloud.js'
import { summarise } from './fleet-summary.js'
import { FleetWorkers } from './fleet-workers.js'
import { benchMeta } from './meta.js'
import { cpuSeconds, RssSampler, rssBytes, runQueueWaitSeconds } from './proc-stats.js'
import { benchCodes } from './workload.js'

export interface FleetOptions {
  agents: number[]
  /** Scans per second over the whole fleet; 0: health only (issue 6's idle fleet). */
  rate: number
  seconds: number
  healthS: number
  /** Broker nodes; only 1 until the Redis cluster is built. */
  nodes: number
  influx: boolean
  workers: number
  /** Seconds between the last CONNACK and the window, for the births to be applied. */
  settleSeconds: number
  /** The Mosquitto ceiling's measured seconds. */
  ceilingSeconds: number
  progress?: (line: string) => void
}

export interface FleetResult {
  agents: number
  provisionSeconds: number
  connectSeconds: number
  /** Connections the workers still held at the end, and what the cloud's own gauge said. */
  held: number
  cloudConnected: number
  seconds: number
  sent: number
  acked: number
  ackedPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  lost: number
  errors: number
  outcomes: Record<string, number>
  healthPerSec: number
  /** Before the first agent connected: what the fleet adds is the difference. */
  cloudRssStartMB: number
  cloudRssMB: number
  cloudRssMaxMB: number
  cloudCpuPercent: number
  cloudCpuWaitPercent: number
  pointsPerSec: number
  droppedPoints: number
  generatorCpuPercent: number
  generatorRssMB: number
  mosquitto?: MosquittoCeiling
}

export interface FleetRun {
  meta: ReturnType<typeof benchMeta<Omit<FleetOptions, 'progress'>>> & { sink: string }
  results: FleetResult[]
  influxCeiling?: InfluxCeiling
  /** The fleet size that could not be run, and why; the sizes before it are still reported. */
  failure?: { agents: number; error: string }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const WRITTEN = 'relais_timeseries_written_points_total'
const DROPPED = 'relais_timeseries_dropped_points_total'

export async function runFleet(o: FleetOptions): Promise<FleetRun> {
  const { progress = () => {}, ...options } = o
  if (o.nodes !== 1) throw new Error('--nodes: only 1 (two-node Redis clusters are not built yet)')
  const loadBefore = loadavg()[0]!
  const codes = benchCodes()
  const influxd: Influxd | undefined = o.influx ? await startInfluxd() : undefined
  const workers = FleetWorkers.start(o.workers)
  const results: FleetResult[] = []
  let ceiling: InfluxCeiling | undefined
  let failure: FleetRun['failure']
  try {
    for (const k of o.agents) {
      try {
        results.push(await fleetSize(k, workers, codes, o, progress, influxd))
      } catch (err) {
        // What limited the run is a finding too: report it with the sizes that did run.
        failure = { agents: k, error: err instanceof Error ? err.message : String(err) }
        progress(`${k} agents FAILED: ${failure.error}`)
        break
      }
    }
    if (influxd) {
      progress('InfluxDB ceiling: batches of 5,000 points')
      ceiling = await influxCeiling(influxd.url, o.ceilingSeconds)
    }
  } finally {
    workers.stop()
    await influxd?.stop()
  }
  const sink = influxd ? 'InfluxDB (influxd via the testkit)' : 'embedded (SQLite time series)'
  return { meta: { ...benchMeta(loadBefore, options), sink }, results, influxCeiling: ceiling, failure }
}

async function fleetSize(
  k: number,
  workers: FleetWorkers,
  codes: string[],
  o: FleetOptions,
  progress: (line: string) => void,
  influxd?: Influxd,
): Promise<FleetResult> {
  progress(`${k} agents: provisioning (or copying the cached template) and starting the cloud`)
  const cloud = await startFleetCloud(k, codes, influxd?.url)
  let r: FleetResult
  try {
    r = await measure(cloud, workers, k, codes, o, progress)
  } finally {
    await workers.close()
    await cloud.stop()
  }
  // With the cloud stopped, so the broker has the machine as the cloud had it.
  progress(`${k} agents: Mosquitto ceiling`)
  r.mosquitto = await mosquittoCeiling(workers, cloud.creds.slice(0, k), {
    seconds: o.ceilingSeconds,
    maxOutstanding: 1000,
    concurrency: 200,
  })
  return r
}

async function measure(
  cloud: FleetCloud,
  workers: FleetWorkers,
  k: number,
  codes: string[],
  o: FleetOptions,
  progress: (line: string) => void,
): Promise<FleetResult> {
  progress(`${k} agents: connecting (the cloud checks each new secret with scrypt)`)
  const t0 = Date.now()
  const setup = {
    port: cloud.port,
    codes,
    t0,
    session: `fleet-${t0.toString(36)}`,
    healthS: o.healthS,
    birth: true,
  }
  const rssStart = rssBytes(cloud.pid)
  const started = performance.now()
  const connected = await workers.connect(setup, cloud.creds.slice(0, k), 25)
  const connectSeconds = (performance.now() - started) / 1000
  await sleep(o.settleSeconds * 1000)

  progress(`${k} agents: measuring ${o.seconds} s at ${o.rate} scans/s, health every ${o.healthS} s`)
  const rss = new RssSampler(cloud.pid, 500).start()
  const m0 = await cloud.metrics()
  const cpu0 = cpuSeconds(cloud.pid)
  const wait0 = runQueueWaitSeconds(cloud.pid)
  const w0 = performance.now()
  const scanning = workers.scan(
    o.rate,
    o.seconds * 1000,
    10_000,
    connected.map((c) => c.n),
  )
  await sleep(o.seconds * 1000)
  const window = (performance.now() - w0) / 1000
  const cpu = cpuSeconds(cloud.pid) - cpu0
  const wait = runQueueWaitSeconds(cloud.pid) - wait0
  const m1 = await cloud.metrics()
  const rssNow = rssBytes(cloud.pid)
  const parts = await scanning
  const rssMax = rss.stop()
  return summarise(k, parts, {
    provisionSeconds: cloud.provisionSeconds,
    connectSeconds,
    cloudConnected: m1.relais_mqtt_connected_clients ?? Number.NaN,
    cloudRssStartMB: rssStart / 2 ** 20,
    cloudRssMB: rssNow / 2 ** 20,
    cloudRssMaxMB: rssMax / 2 ** 20,
    cloudCpuPercent: (cpu / window) * 100,
    cloudCpuWaitPercent: (wait / window) * 100,
    pointsPerSec: ((m1[WRITTEN] ?? Number.NaN) - (m0[WRITTEN] ?? Number.NaN)) / window,
    droppedPoints: (m1[DROPPED] ?? 0) - (m0[DROPPED] ?? 0),
  })
}
