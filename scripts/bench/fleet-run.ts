// Runs the fleet bench: for each fleet size K, a fresh cloud on a provisioned data dir (or a fresh
// PostgreSQL database), as one or N broker nodes (N > 1: sharing a fresh Redis and the database, agents
// dealt round robin), K lightweight agents spread over the worker processes (birth, health every H s,
// scans at R/s over all of them), a measured window of T s once all are connected, then the Mosquitto
// ceiling with the same K clients. InfluxDB's raw write ceiling is measured once, after the last size.
import { loadavg } from 'node:os'
import { type Influxd, startInfluxd } from '../testkit/influxd.js'
import { type Postgres, startPostgres } from '../testkit/postgres.js'
import { type RedisServer, startRedis } from '../testkit/redis.js'
import {
  type InfluxCeiling,
  influxCeiling,
  type MosquittoCeiling,
  mosquittoCeiling,
} from './fleet-ceilings.js'
import { type FleetCloud, type FleetStore, startFleetCloud } from './fleet-cloud.js'
import { summarise, sumNodes } from './fleet-summary.js'
import { FleetWorkers, spreadOver } from './fleet-workers.js'
import { benchMeta } from './meta.js'
import { cpuSeconds, RssSampler, rssBytes, runQueueWaitSeconds, treeCpuSeconds } from './proc-stats.js'
import { benchCodes } from './workload.js'

export interface FleetOptions {
  agents: number[]
  /** Scans per second over the whole fleet; 0: health only (issue 6's idle fleet). */
  rate: number
  seconds: number
  healthS: number
  /** Broker nodes (cloud processes); more than one share a Redis and need PostgreSQL. */
  nodes: number
  /** The relational store; 'postgres' for more than one node. */
  database: FleetStore
  influx: boolean
  workers: number
  /** Seconds between the last CONNACK and the window, for the births to be applied. */
  settleSeconds: number
  /** The Mosquitto ceiling's measured seconds. */
  ceilingSeconds: number
  progress?: (line: string) => void
}

/** One node's own readings over the window (its share of the cluster's). */
export interface NodeFigures {
  /** Agents dealt to it, and what its own gauge said at the end of the window. */
  agents: number
  connected: number
  rssStartMB: number
  rssMB: number
  rssMaxMB: number
  cpuPercent: number
  cpuWaitPercent: number
  pointsPerSec: number
  droppedPoints: number
}

export interface FleetResult {
  agents: number
  nodes: number
  store: FleetStore
  /** Each node's readings; the cloud* fields are their sums. */
  perNode: NodeFigures[]
  /** The shared services' CPU (% of one core) and RSS over the window, when the run had them. */
  services: { redisCpuPercent?: number; redisRssMB?: number; postgresCpuPercent?: number }
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
  if (o.nodes > 1 && o.database !== 'postgres')
    throw new Error(`${o.nodes} nodes share one relational store: PostgreSQL (--database postgres)`)
  const loadBefore = loadavg()[0]!
  const codes = benchCodes()
  const influxd: Influxd | undefined = o.influx ? await startInfluxd() : undefined
  let postgres: Postgres | undefined
  try {
    postgres = o.database === 'postgres' ? await startPostgres() : undefined
  } catch (err) {
    await influxd?.stop()
    throw err
  }
  const workers = FleetWorkers.start(o.workers)
  const results: FleetResult[] = []
  let ceiling: InfluxCeiling | undefined
  let failure: FleetRun['failure']
  try {
    for (const k of o.agents) {
      try {
        results.push(await fleetSize(k, workers, codes, o, progress, { influxd, postgres }))
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
    await postgres?.stop()
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
  services: { influxd?: Influxd; postgres?: Postgres },
): Promise<FleetResult> {
  progress(
    `${k} agents: provisioning (or copying the cached template) and starting ${o.nodes} node(s) on ${o.database}`,
  )
  // A fresh Redis per fleet size: no session, retained message or subscription of the last one.
  const redis = o.nodes > 1 ? await startRedis() : undefined
  let r: FleetResult
  let cloud: FleetCloud | undefined
  try {
    cloud = await startFleetCloud(k, codes, {
      nodes: o.nodes,
      postgres: services.postgres,
      redisUrl: redis?.url,
      influxUrl: services.influxd?.url,
    })
    r = await measure(cloud, workers, k, codes, o, progress, { redis, postgres: services.postgres })
  } finally {
    await workers.close()
    await cloud?.stop()
    await redis?.stop()
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
  shared: { redis?: RedisServer; postgres?: Postgres },
): Promise<FleetResult> {
  progress(`${k} agents: connecting (each node checks each new secret with scrypt)`)
  const t0 = Date.now()
  const nodes = cloud.nodes
  const setup = {
    port: nodes[0]!.port,
    codes,
    t0,
    session: `fleet-${t0.toString(36)}`,
    healthS: o.healthS,
    birth: true,
  }
  const rssStart = nodes.map((n) => rssBytes(n.pid))
  const started = performance.now()
  const dealt = spreadOver(
    cloud.creds.slice(0, k),
    nodes.map((n) => n.port),
  )
  const connected = await workers.connect(setup, dealt, 25)
  const connectSeconds = (performance.now() - started) / 1000
  await sleep(o.settleSeconds * 1000)

  progress(`${k} agents: measuring ${o.seconds} s at ${o.rate} scans/s, health every ${o.healthS} s`)
  const rss = nodes.map((n) => new RssSampler(n.pid, 500).start())
  const m0 = await Promise.all(nodes.map((n) => n.metrics()))
  const cpu0 = nodes.map((n) => cpuSeconds(n.pid))
  const wait0 = nodes.map((n) => runQueueWaitSeconds(n.pid))
  const redisCpu0 = shared.redis && cpuSeconds(shared.redis.pid)
  const pgCpu0 = shared.postgres && treeCpuSeconds(shared.postgres.pid)
  const w0 = performance.now()
  const scanning = workers.scan(
    o.rate,
    o.seconds * 1000,
    10_000,
    connected.map((c) => c.n),
  )
  await sleep(o.seconds * 1000)
  const window = (performance.now() - w0) / 1000
  const cpu = nodes.map((n, i) => cpuSeconds(n.pid) - cpu0[i]!)
  const wait = nodes.map((n, i) => runQueueWaitSeconds(n.pid) - wait0[i]!)
  const services: FleetResult['services'] = {}
  if (shared.redis && redisCpu0 !== undefined) {
    services.redisCpuPercent = ((cpuSeconds(shared.redis.pid) - redisCpu0) / window) * 100
    services.redisRssMB = rssBytes(shared.redis.pid) / 2 ** 20
  }
  if (shared.postgres && pgCpu0 !== undefined)
    services.postgresCpuPercent = ((treeCpuSeconds(shared.postgres.pid) - pgCpu0) / window) * 100
  const m1 = await Promise.all(nodes.map((n) => n.metrics()))
  const rssNow = nodes.map((n) => rssBytes(n.pid))
  const parts = await scanning
  const rssMax = rss.map((s) => s.stop())
  const perNode: NodeFigures[] = nodes.map((_, i) => ({
    agents: dealt.filter((d) => d.port === nodes[i]!.port).length,
    connected: m1[i]!.relais_mqtt_connected_clients ?? Number.NaN,
    rssStartMB: rssStart[i]! / 2 ** 20,
    rssMB: rssNow[i]! / 2 ** 20,
    rssMaxMB: rssMax[i]! / 2 ** 20,
    cpuPercent: (cpu[i]! / window) * 100,
    cpuWaitPercent: (wait[i]! / window) * 100,
    pointsPerSec: ((m1[i]![WRITTEN] ?? Number.NaN) - (m0[i]![WRITTEN] ?? Number.NaN)) / window,
    droppedPoints: (m1[i]![DROPPED] ?? 0) - (m0[i]![DROPPED] ?? 0),
  }))
  return summarise(k, parts, {
    provisionSeconds: cloud.provisionSeconds,
    connectSeconds,
    nodes: nodes.length,
    store: cloud.store,
    perNode,
    services,
    ...sumNodes(perNode),
  })
}
