// The printed report: one row per client count, server and phase, then the relais/bare ratios, the
// goal verdicts and the ack check. Every number is from the same run; only ratios are compared.
import type { PhaseResult } from './phases.js'
import type { BenchRun } from './run.js'

export const COLUMNS = [
  'clients',
  'server',
  'phase',
  'acked/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'RSS MB',
  'CPU µs/event',
  'CPU wait %',
  'errors',
]
/** What Relais may answer a valid scan with; the bare baseline answers `relayed`. */
export const EXPECTED_OUTCOMES: Record<string, readonly string[]> = {
  relais: ['added', 'incremented', 'unknown_product', 'duplicate'],
  bare: ['relayed'],
}
/** The issue's goals: at least half the bare rate (10 clients), p99 under 20 ms at the fixed rate. */
export const GOAL_RATE_RATIO = 0.5
export const GOAL_P99_MS = 20
const GOAL_CLIENTS = 10

export interface Verdicts {
  rateRatio: Record<number, number>
  cpuRatio: Record<number, number>
  rateGoal: boolean | undefined
  p99Goal: boolean
  errors: number
}

/** Acks that mean something went wrong: unexpected outcomes, acks lost, stray acks, failed publishes. */
export function errorsOf(p: PhaseResult): number {
  const ok = EXPECTED_OUTCOMES[p.server] ?? []
  const odd = Object.entries(p.outcomes).filter(([k]) => !ok.includes(k))
  return odd.reduce((s, [, n]) => s + n, 0) + p.lost + p.unmatched + p.publishErrors
}

const find = (run: BenchRun, server: string, k: number, phase: string) =>
  run.phases.find((p) => p.server === server && p.clients === k && p.phase === phase)

export function verdicts(run: BenchRun): Verdicts {
  const rateRatio: Record<number, number> = {}
  const cpuRatio: Record<number, number> = {}
  for (const k of run.meta.options.clientCounts) {
    const r = find(run, 'relais', k, 'saturation')
    const b = find(run, 'bare', k, 'saturation')
    if (r && b) {
      rateRatio[k] = r.ackedPerSec / b.ackedPerSec
      cpuRatio[k] = r.cpuUsPerEvent / b.cpuUsPerEvent
    }
  }
  const fixed = run.phases.filter((p) => p.server === 'relais' && p.phase === 'rate')
  return {
    rateRatio,
    cpuRatio,
    rateGoal: rateRatio[GOAL_CLIENTS] === undefined ? undefined : rateRatio[GOAL_CLIENTS] >= GOAL_RATE_RATIO,
    p99Goal: fixed.length > 0 && fixed.every((p) => p.p99Ms < GOAL_P99_MS),
    errors: run.phases.reduce((s, p) => s + errorsOf(p), 0),
  }
}

const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-')

export function formatReport(run: BenchRun): string {
  const { meta } = run
  const o = meta.options
  const lines = [
    `Relais ingest bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, ` +
      `load average ${num(meta.load[0], 2)} at start, ${num(meta.load[1], 2)} at end`,
    `MQTT QoS 1 on loopback; ${o.seconds} s measured after ${o.warmupSeconds} s warm-up per phase; ` +
      `saturation keeps W scans outstanding per client (total <= ${o.maxOutstanding}); fixed rate ${o.rate} scans/s over all clients.`,
    `Latency: publish to application ack (cmd/ack, corr). CPU and RSS: the server process only, from /proc; ` +
      `CPU wait: share of the window its event loop was ready to run but had no CPU (other load on the machine).`,
    `Baseline: ${meta.baseline}.`,
    `Node flags of both servers: ${meta.nodeFlags.join(' ') || 'none'}.`,
    '',
  ]
  const rows = run.phases.map((p) => [
    String(p.clients),
    p.server,
    p.phase === 'saturation' ? `saturate ${p.load}` : p.load,
    num(p.ackedPerSec, 0),
    num(p.p50Ms, 2),
    num(p.p99Ms, 2),
    num(p.maxMs, 1),
    num(p.rssMaxMB, 0),
    num(p.cpuUsPerEvent, 0),
    num(p.cpuWaitPercent, 0),
    String(errorsOf(p)),
  ])
  lines.push(...table([COLUMNS, ...rows]), '')

  const v = verdicts(run)
  for (const k of o.clientCounts) {
    const rr = find(run, 'relais', k, 'rate')
    const br = find(run, 'bare', k, 'rate')
    lines.push(
      `ratio relais/bare, ${k} client(s): rate ${num(v.rateRatio[k] ?? Number.NaN, 2)}x, ` +
        `CPU/event ${num(v.cpuRatio[k] ?? Number.NaN, 1)}x at saturation, ` +
        `${num((rr?.cpuUsPerEvent ?? Number.NaN) / (br?.cpuUsPerEvent ?? Number.NaN), 1)}x at ${o.rate}/s`,
    )
  }
  // Which thread limits the rate: an event loop busy (on a CPU or waiting for one) near 100% is it.
  for (const p of run.phases.filter((x) => x.phase === 'saturation')) {
    lines.push(
      `threads, ${p.server} at saturation (${p.clients} client(s)): event loop ${num(p.loopUsPerEvent, 0)} µs/event, ` +
        `busy ${num(p.loopBusyPercent, 0)}% (CPU + wait); busiest other thread ${num(p.otherThreadUsPerEvent, 0)} µs/event`,
    )
  }
  const p99s = run.phases
    .filter((p) => p.server === 'relais' && p.phase === 'rate')
    .map((p) => `${p.clients}: ${num(p.p99Ms, 1)} ms`)
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'NOT MEASURED' : ok ? 'MET' : 'MISSED')
  const gen = Math.max(...run.phases.map((p) => p.generatorCpuPercent))
  lines.push(`load generator (this process, same machine): up to ${num(gen, 0)}% of a core`)
  lines.push(
    '',
    `goal: relais rate at ${GOAL_CLIENTS} clients >= ${GOAL_RATE_RATIO} x bare: ` +
      `${num(v.rateRatio[GOAL_CLIENTS] ?? Number.NaN, 2)}x -> ${mark(v.rateGoal)}`,
    `goal: relais p99 at ${o.rate} scans/s < ${GOAL_P99_MS} ms (${p99s.join(', ')}) -> ${mark(v.p99Goal)}`,
    `acks: ${v.errors === 0 ? 'every scan acked with an expected outcome' : `${v.errors} ERRORS (unexpected outcomes, lost or stray acks)`}; ` +
      outcomeSummary(run),
  )
  return lines.join('\n')
}

function outcomeSummary(run: BenchRun): string {
  const by: Record<string, Record<string, number>> = {}
  for (const p of run.phases) {
    const o = by[p.server] ?? {}
    by[p.server] = o
    for (const [k, n] of Object.entries(p.outcomes)) o[k] = (o[k] ?? 0) + n
    if (p.lost > 0) o.lost = (o.lost ?? 0) + p.lost
  }
  return Object.entries(by)
    .map(
      ([s, o]) =>
        `${s}: ${Object.entries(o)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    )
    .join('; ')
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  // Text columns left, numbers right.
  return rows.map((r) =>
    r.map((cell, i) => (i === 1 || i === 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
  )
}
