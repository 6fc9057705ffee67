// One measured phase against one server: a warm-up, a measured window, then a drain. Saturation keeps a
// fixed window of scans outstanding per client (each ack sends the next); the fixed-rate phase paces a
// total rate over all clients by the clock. Both read the server's CPU over the window and its RSS.
import type { BenchClient } from './load.js'
import { cpuSeconds, RssSampler, runQueueWaitSeconds, threadCpuSeconds } from './proc-stats.js'
import type { Server, ServerName } from './servers.js'

export type PhaseKind = 'saturation' | 'rate'

export interface PhaseOptions {
  kind: PhaseKind
  warmupMs: number
  measureMs: number
  /** Saturation: scans outstanding per client. */
  window: number
  /** Fixed rate: scans per second over all clients. */
  rate: number
  /** How long to wait for the last acks after the window before counting the rest as lost. */
  drainMs: number
}

export interface PhaseResult {
  server: ServerName
  clients: number
  phase: PhaseKind
  /** `W=<window>` or `<rate>/s`: what was asked of the server. */
  load: string
  seconds: number
  sent: number
  acked: number
  ackedPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  rssMaxMB: number
  cpuSeconds: number
  cpuUsPerEvent: number
  /** % of the window the server's event loop was runnable but had no CPU (other processes' load). */
  cpuWaitPercent: number
  /** CPU of the server's main thread (the event loop) per acked event. */
  loopUsPerEvent: number
  /** % of the window the event loop was on a CPU or waiting for one: near 100, it is the bottleneck. */
  loopBusyPercent: number
  /** CPU per acked event of the server's busiest other thread (Relais: the SQLite writer). */
  otherThreadUsPerEvent: number
  /** The load generator's own CPU over the window, % of one core: it shares the machine. */
  generatorCpuPercent: number
  /** Ack outcomes over the whole phase, warm-up included. */
  outcomes: Record<string, number>
  lost: number
  unmatched: number
  publishErrors: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runPhase(
  server: Server,
  clients: BenchClient[],
  o: PhaseOptions,
): Promise<PhaseResult> {
  const outcomes: Record<string, number> = {}
  const latencies: number[] = []
  let windowStart: bigint | undefined
  let measuring = false
  let stopped = false
  let sent = 0
  let acked = 0
  const unmatched0 = sum(clients, (c) => c.unmatched)
  const errors0 = sum(clients, (c) => c.publishErrors)
  const send = (c: BenchClient) => {
    if (measuring) sent++
    c.send()
  }
  for (const c of clients) {
    c.onAck = (sentAt, receivedAt, outcome) => {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      if (measuring) acked++
      if (windowStart !== undefined && sentAt >= windowStart)
        latencies.push(Number(receivedAt - sentAt) / 1e6)
      if (o.kind === 'saturation' && !stopped) send(c)
    }
  }

  const rss = new RssSampler(server.pid).start()
  let pacer: NodeJS.Timeout | undefined
  if (o.kind === 'saturation') {
    for (const c of clients) for (let i = 0; i < o.window; i++) send(c)
  } else {
    // Sends what the clock says is due, round robin, every millisecond: no drift from late timers.
    const started = performance.now()
    let due = 0
    let next = 0
    pacer = setInterval(() => {
      const target = Math.floor(((performance.now() - started) * o.rate) / 1000)
      for (; due < target; due++) send(clients[next++ % clients.length]!)
    }, 1)
  }

  await sleep(o.warmupMs)
  const cpu0 = cpuSeconds(server.pid)
  const threads0 = threadCpuSeconds(server.pid)
  const gen0 = process.cpuUsage()
  const wait0 = runQueueWaitSeconds(server.pid)
  windowStart = process.hrtime.bigint()
  measuring = true
  await sleep(o.measureMs)
  measuring = false
  const cpu1 = cpuSeconds(server.pid)
  const threads1 = threadCpuSeconds(server.pid)
  const gen = process.cpuUsage(gen0)
  const wait = runQueueWaitSeconds(server.pid) - wait0
  const seconds = Number(process.hrtime.bigint() - windowStart) / 1e9
  stopped = true
  clearInterval(pacer)

  const drainUntil = Date.now() + o.drainMs
  while (sum(clients, (c) => c.pending.size) > 0 && Date.now() < drainUntil) await sleep(10)
  const lost = sum(clients, (c) => c.pending.size)
  for (const c of clients) {
    c.pending.clear()
    c.onAck = () => {}
  }
  const rssMax = rss.stop()

  latencies.sort((a, b) => a - b)
  const cpu = cpu1 - cpu0
  const threadCpu = (tid: number) => (threads1.get(tid) ?? 0) - (threads0.get(tid) ?? 0)
  const loopCpu = threadCpu(server.pid)
  const otherCpu = Math.max(0, ...[...threads1.keys()].filter((t) => t !== server.pid).map(threadCpu))
  const perEvent = (s: number) => (acked > 0 ? (s * 1e6) / acked : Number.NaN)
  return {
    server: server.name,
    clients: clients.length,
    phase: o.kind,
    load: o.kind === 'saturation' ? `W=${o.window}` : `${o.rate}/s`,
    seconds,
    sent,
    acked,
    ackedPerSec: acked / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    rssMaxMB: rssMax / 2 ** 20,
    cpuSeconds: cpu,
    cpuUsPerEvent: perEvent(cpu),
    cpuWaitPercent: (wait / seconds) * 100,
    loopUsPerEvent: perEvent(loopCpu),
    loopBusyPercent: ((loopCpu + wait) / seconds) * 100,
    otherThreadUsPerEvent: perEvent(otherCpu),
    generatorCpuPercent: (gen.user + gen.system) / 1e4 / seconds,
    outcomes,
    lost,
    unmatched: sum(clients, (c) => c.unmatched) - unmatched0,
    publishErrors: sum(clients, (c) => c.publishErrors) - errors0,
  }
}

/** Nearest-rank quantile of an ascending array; NaN when empty. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

function sum<T>(xs: T[], f: (x: T) => number): number {
  let s = 0
  for (const x of xs) s += f(x)
  return s
}
