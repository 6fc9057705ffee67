// Runs the whole ingest bench: both servers started once, then for each client count K, Relais and the
// bare baseline in turn (interleaved, so drift on a shared machine hits both alike), each through a
// saturation phase and a fixed-rate phase.

import { loadavg } from 'node:os'
import { connectAll } from './load.js'
import { benchMeta } from './meta.js'
import { type PhaseResult, runPhase } from './phases.js'
import { type Server, type ServerName, serverNodeFlags, startBare, startRelais } from './servers.js'
import { benchCodes, ScanSource } from './workload.js'

export interface BenchOptions {
  clientCounts: number[]
  seconds: number
  warmupSeconds: number
  /** The fixed-rate phase: scans per second over all clients. */
  rate: number
  /** Saturation window per client, capped so that K x window stays near `maxOutstanding`. */
  window: number
  maxOutstanding: number
  progress?: (line: string) => void
}

export interface BenchRun {
  meta: {
    date: string
    node: string
    cpu: string
    cores: number
    /** 1-minute load average at start and end: these machines are shared, and it shows in the numbers. */
    load: [number, number]
    options: Omit<BenchOptions, 'progress'>
    baseline: string
    /** Node flags both servers ran with (those of `relais serve`). */
    nodeFlags: string[]
  }
  phases: PhaseResult[]
}

export const BASELINE =
  'bare Aedes (no auth hooks, noDelay) with one in-process subscriber that answers each event with an ' +
  "ack envelope on the sender's cmd/ack topic (corr = event id): the same round trip, without " +
  'validation, SQLite (fsync), dedupe or time series; both with the Node flags of `relais serve`'

export const windowFor = (o: BenchOptions, k: number) =>
  Math.max(1, Math.min(o.window, Math.floor(o.maxOutstanding / k)))

export async function runBench(o: BenchOptions): Promise<BenchRun> {
  const { progress = () => {}, ...options } = o
  const codes = benchCodes()
  const servers: Server[] = []
  const phases: PhaseResult[] = []
  const loadBefore = loadavg()[0]!
  try {
    progress(`provisioning ${Math.max(...o.clientCounts)} agents and starting relais serve`)
    const { server: relais, creds } = await startRelais(Math.max(...o.clientCounts), codes)
    servers.push(relais)
    servers.push(await startBare())
    // One source per agent and server for the whole run: seq and source clock never go back.
    const sources = new Map<string, ScanSource>()
    const t0 = Date.now()
    const session = `bench-${t0.toString(36)}`
    // The source clock advances SOURCE_STEP_MS per scan, 30 s per second at saturation: started at t0 it
    // would run minutes ahead of the cloud's clock, where events are applied at their arrival and logged
    // one by one (event-ingest.ts). A day back, it stays in the past for millions of scans.
    const sourceStart = t0 - 86_400_000
    const sourceFor = (server: ServerName) => (agent: string) => {
      const key = `${server}/${agent}`
      const s = sources.get(key) ?? new ScanSource(agent, codes, sourceStart, session)
      sources.set(key, s)
      return s
    }
    for (const k of o.clientCounts) {
      for (const server of servers) {
        const clients = await connectAll(server.port, creds.slice(0, k), sourceFor(server.name))
        try {
          const common = { warmupMs: o.warmupSeconds * 1000, measureMs: o.seconds * 1000, drainMs: 5000 }
          for (const kind of ['saturation', 'rate'] as const) {
            progress(`${server.name}, ${k} client(s): ${kind}`)
            const r = await runPhase(server, clients, {
              ...common,
              kind,
              window: windowFor(o, k),
              rate: o.rate,
            })
            phases.push(r)
          }
        } catch (err) {
          throw new Error(`${server.name} with ${k} clients failed: ${String(err)}\n${server.output()}`)
        } finally {
          await Promise.all(clients.map((c) => c.close()))
        }
      }
    }
  } finally {
    for (const s of servers.reverse()) {
      const how = await s.stop()
      if (how === 'killed') progress(`${s.name} did not stop within 5 s of SIGTERM: killed`)
    }
  }
  return {
    meta: {
      ...benchMeta(loadBefore, options),
      baseline: BASELINE,
      nodeFlags: serverNodeFlags,
    },
    phases,
  }
}
