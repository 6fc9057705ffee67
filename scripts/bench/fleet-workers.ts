// The parent side of the fleet's load-generator processes: forks them, splits agents and rate between
// them, and turns their IPC replies into promises. Several processes so the generator is not the
// bottleneck on one core (MQTT.js parsing for 10,000 connections is real work).
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { track } from './agent-procs.js'
import type { AgentSetup } from './fleet-agent.js'
import type { Credentials } from './workload.js'

type Setup = Omit<AgentSetup, 'agent' | 'username' | 'password'>

/** An agent's login, and the broker node it connects to when not the setup's port. */
export type Dealt = Credentials & { port?: number }

export type WorkerCommand =
  | { type: 'connect'; setup: Setup; creds: Dealt[]; concurrency: number }
  | { type: 'scan'; rate: number; ms: number; drainMs: number }
  | { type: 'saturate'; window: number; ms: number }
  | { type: 'close' }

export interface Scanned {
  type: 'scanned'
  seconds: number
  sent: number
  latencies: number[]
  outcomes: Record<string, number>
  lost: number
  unmatched: number
  publishErrors: number
  healthSent: number
  /** Connections still open at the end of the window. */
  held: number
  cpuPercent: number
  rssMB: number
}

export type WorkerReply =
  | { type: 'connected'; n: number; ms: number }
  | Scanned
  | { type: 'saturated'; seconds: number; acked: number; failed: number }
  | { type: 'closed' }
  | { type: 'error'; message: string }

type Reply<T extends WorkerReply['type']> = Extract<WorkerReply, { type: T }>

export class FleetWorkers {
  private constructor(private readonly children: ChildProcess[]) {}

  static start(n: number): FleetWorkers {
    const entry = join(fileURLToPath(import.meta.url), '..', 'fleet-worker.ts')
    const children = Array.from({ length: n }, () =>
      track(
        fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      ),
    )
    return new FleetWorkers(children)
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!)
  }

  /** Deals `creds` out to the workers (agent i to worker i mod n) and connects them all. */
  async connect(setup: Setup, creds: Dealt[], concurrency: number): Promise<Reply<'connected'>[]> {
    const n = this.children.length
    return this.all((i) => ({
      type: 'connect',
      setup,
      creds: creds.filter((_, j) => j % n === i),
      concurrency,
    }))
  }

  /** Each worker scans at its share of `rate`, weighted by the agents it holds. */
  scan(rate: number, ms: number, drainMs: number, held: number[]): Promise<Scanned[]> {
    const total = held.reduce((s, h) => s + h, 0)
    return this.all((i) => ({ type: 'scan', rate: (rate * held[i]!) / total, ms, drainMs }))
  }

  saturate(window: number, ms: number): Promise<Reply<'saturated'>[]> {
    return this.all(() => ({ type: 'saturate', window, ms }))
  }

  async close(): Promise<void> {
    await this.all(() => ({ type: 'close' })).catch(() => {})
  }

  stop(): void {
    for (const c of this.children) c.kill('SIGTERM')
  }

  private all<T extends WorkerReply>(cmd: (i: number) => WorkerCommand): Promise<T[]> {
    return Promise.all(this.children.map((c, i) => ask<T>(c, cmd(i))))
  }
}

/** Agent i to node i mod n (the nodes' MQTT ports): a cluster's load balancer dealing round robin. */
export function spreadOver(creds: Credentials[], ports: number[]): Dealt[] {
  return creds.map((c, i) => ({ ...c, port: ports[i % ports.length]! }))
}

function ask<T extends WorkerReply>(child: ChildProcess, cmd: WorkerCommand): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`fleet worker exited (${code}) during ${cmd.type}`))
    child.once('exit', onExit)
    child.once('message', (r: WorkerReply) => {
      child.off('exit', onExit)
      if (r.type === 'error') reject(new Error(`fleet worker, ${cmd.type}: ${r.message}`))
      else resolve(r as T)
    })
    child.send(cmd)
  })
}
