// The agent bench's printed report: one row per phase (and per agent form or window), each beside its
// baseline from the same run and the ratio, with the agent process's RSS, CPU and CPU wait over that
// phase; then the checks and the verdicts. Only ratios are judged; absolute numbers depend on the box.
import type { AgentBenchRun } from './agent-run.js'

export const COLUMNS = [
  'phase',
  'agent',
  'result',
  'baseline (same run)',
  'ratio',
  'agent RSS MB',
  'CPU %',
  'CPU wait %',
]
/** The issue's goal: idle RSS at most this many times a bare Node process with one MQTT.js connection. */
export const GOAL_IDLE_RSS_RATIO = 1.2
/** RSS that moves more than this within the idle window was not settled yet. */
const UNSETTLED_MB = 2

const FORM_LABEL = { bundle: 'bundle on node (ships)', tsx: 'sources through tsx (dev)' }

const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-')
const x = (r: number, digits = 2) => `${num(r, digits)}x`

export interface AgentVerdicts {
  /** Agent/baseline idle RSS of the bundle (undefined when the bundle was not measured). */
  idleRatio: number | undefined
  idleGoal: boolean | undefined
  /** Problems that make the numbers invalid: scans missing from the list, left in the outbox, unacked. */
  errors: string[]
}

export function agentVerdicts(run: AgentBenchRun): AgentVerdicts {
  const bundle = run.idle.find((p) => p.form === 'bundle')
  const errors: string[] = []
  for (const d of run.drain) {
    if (d.listDelta !== d.events)
      errors.push(`drain W=${d.window}: the list gained ${d.listDelta}, not ${d.events}`)
    if (d.outboxLeft !== 0) errors.push(`drain W=${d.window}: ${d.outboxLeft} events left in the outbox`)
  }
  const { agent, baseline } = run.latency
  if (agent.acked < agent.scans) errors.push(`latency: ${agent.scans - agent.acked} agent scans not acked`)
  if (baseline.acked < baseline.scans)
    errors.push(`latency: ${baseline.scans - baseline.acked} baseline scans not acked`)
  return {
    idleRatio: bundle?.rssRatio,
    idleGoal: bundle === undefined ? undefined : bundle.rssRatio <= GOAL_IDLE_RSS_RATIO,
    errors,
  }
}

export function reportRows(run: AgentBenchRun): string[][] {
  const rows: string[][] = []
  const foot = (f: { rssMB: number; cpuPercent: number; cpuWaitPercent: number }) => [
    num(f.rssMB, 1),
    num(f.cpuPercent, 1),
    num(f.cpuWaitPercent, 1),
  ]
  for (const p of run.idle) {
    rows.push([
      'idle',
      FORM_LABEL[p.form],
      `RSS ${num(p.agent.rssMB)} MB (anon ${num(p.agent.anonMB)}), CPU ${num(p.agent.cpuPercent, 2)}%`,
      `bare node + MQTT.js (${p.form}): RSS ${num(p.baseline.rssMB)} MB (anon ${num(p.baseline.anonMB)}), ` +
        `CPU ${num(p.baseline.cpuPercent, 2)}%`,
      x(p.rssRatio),
      ...foot(p.agent),
    ])
  }
  const ob = run.outbox
  rows.push([
    'outbox',
    'Outbox.add, one writer',
    `${num(ob.outbox.perSecond, 0)} events/s (= fsync'd commits/s)`,
    `write+fsync appends of ${ob.payloadBytes} B: ${num(ob.fsync.perSecond, 0)}/s`,
    x(ob.outbox.perSecond / ob.fsync.perSecond),
    ...foot(ob.outbox),
  ])
  for (const d of run.drain) {
    rows.push([
      'drain',
      `${d.events} queued, inflight ${d.window}`,
      `${num(d.drainSeconds, 2)} s, ${num(d.perSecond, 0)} events/s`,
      `bare client, window ${d.window}: ${num(d.baseline.seconds, 2)} s, ${num(d.baseline.perSecond, 0)}/s`,
      x(d.perSecond / d.baseline.perSecond),
      ...foot(d.agent),
    ])
  }
  const l = run.latency
  const lat = (s: { p50Ms: number; p99Ms: number; maxMs: number }, digits: number) =>
    `p50 ${num(s.p50Ms, digits)} / p99 ${num(s.p99Ms, digits)} / max ${num(s.maxMs, digits)} ms`
  rows.push([
    'latency',
    `${l.rate} scans/s for ${num(l.seconds, 0)} s`,
    `${lat(l.agent, 0)} (${l.agent.acked} scans)`,
    `bare client publish to ack: ${lat(l.baseline, 1)}`,
    `${x(l.agent.p99Ms / l.baseline.p99Ms, 1)} p99`,
    ...foot(l.agent.footprint),
  ])
  return rows
}

export function formatAgentReport(run: AgentBenchRun): string {
  const { meta } = run
  const v = agentVerdicts(run)
  const lines = [
    `Relais agent bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, ` +
      `load average ${num(meta.load[0], 2)} at start, ${num(meta.load[1], 2)} at end, ${num(meta.seconds, 0)} s`,
    'Loopback; the cloud (relais serve), each agent and each baseline client its own process. Agent: simulated ' +
      'scanner, log feedback, health every 60 s; drain and latency use the bundle.',
    `RSS: VmRSS, mean over the window (anon: its RssAnon part, heaps and native memory); CPU: % of one core; CPU wait: % of the window the agent's main thread ` +
      'was runnable but had no CPU (other load on the machine); all from /proc, of the agent process ' +
      '(outbox row: the writer process, Outbox.add under tsx).',
    `idle: ${meta.options.settleSeconds} s settled after connecting, then ${meta.options.idleSeconds} s sampled. ` +
      `outbox (while the idle processes settle): ${meta.options.outboxSeconds} s, SQLite WAL synchronous=FULL, ` +
      'one transaction per event. ' +
      'drain: from the agent reconnected to its last ack, the cloud restarted on the same data. ' +
      'latency: agent log times, "scan stored" (after fsync) to "scan acknowledged" (1 ms steps).',
    '',
    ...table([COLUMNS, ...reportRows(run)]),
    '',
  ]
  for (const d of run.drain)
    lines.push(
      `drain inflight ${d.window}: backlog written in ${num(d.fillSeconds, 2)} s; agent reconnected ` +
        `${num(d.reconnectSeconds, 2)} s after the cloud was up (back-off); cloud CPU ${num(d.cloud.cpuPercent, 0)}% ` +
        `during the drain; list +${d.listDelta}, outbox left ${d.outboxLeft}`,
    )
  if (run.drain.length > 1) {
    const [a, b] = [run.drain[0]!, run.drain.at(-1)!]
    lines.push(`inflight ${b.window} vs ${a.window}: ${x(b.perSecond / a.perSecond)} the drain rate`)
  }
  const tsx = run.idle.find((p) => p.form === 'tsx')
  const bundle = run.idle.find((p) => p.form === 'bundle')
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'NOT MEASURED' : ok ? 'MET' : 'MISSED')
  lines.push(
    '',
    `goal: agent idle RSS <= ${GOAL_IDLE_RSS_RATIO} x bare node + one MQTT.js connection, the bundle on ` +
      `plain node (what ships): ${v.idleRatio === undefined ? '-' : x(v.idleRatio)} -> ${mark(v.idleGoal)}`,
  )
  if (bundle)
    lines.push(
      `  (the agent's own memory, RssAnon, without the node binary's file pages that every Node process maps: ` +
        `${num(bundle.agent.anonMB)} vs ${num(bundle.baseline.anonMB)} MB = ${x(bundle.agent.anonMB / bundle.baseline.anonMB)})`,
    )
  if (tsx)
    lines.push(
      `  (for information, not the goal: the sources through tsx against the client through tsx: ${x(tsx.rssRatio)})`,
    )
  // V8 hands back some 7 MB of heap 13 to 24 s after start-up, in the agent and the baseline alike: a
  // window that straddles that step compares a process before it with one after it.
  for (const p of run.idle)
    for (const [who, f] of [
      ['agent', p.agent],
      ['baseline', p.baseline],
    ] as const)
      if (f.rssMaxMB - f.rssMinMB > UNSETTLED_MB)
        lines.push(
          `WARNING: idle ${p.form} ${who} RSS moved ${num(f.rssMinMB)}-${num(f.rssMaxMB)} MB within the window: ` +
            'not settled, raise BENCH_AGENT_SETTLE',
        )
  lines.push(
    `checks: ${v.errors.length === 0 ? 'every drained scan on the list once, outboxes empty, every latency scan acked' : `${v.errors.length} ERRORS: ${v.errors.join('; ')}`}`,
  )
  return lines.join('\n')
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  // Text columns left, numbers right.
  return rows.map((r) =>
    r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
  )
}
