// The pickup bench's printed report: one row per measure, with ratios to the bare round trip measured in
// the same run; then the press outcomes and the live round's planning time beside nearest neighbour.
import type { LatencyStats, PickupBenchRun } from './pickup-run.js'

export const PICKUP_COLUMNS = [
  'measure',
  'sent',
  'answered',
  'p50 ms',
  'p99 ms',
  'max ms',
  'x bare p50',
  'x bare p99',
]

const num = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '-')

export function formatPickupReport(run: PickupBenchRun): string {
  const { meta, bare, route } = run
  const o = meta.options
  const row = (name: string, s: LatencyStats) => [
    name,
    String(s.sent),
    String(s.answered),
    num(s.p50Ms, 2),
    num(s.p99Ms, 2),
    num(s.maxMs, 1),
    `${num(s.p50Ms / bare.p50Ms, 1)}x`,
    `${num(s.p99Ms / bare.p99Ms, 1)}x`,
  ]
  const rows = [row('bare round trip', bare), row('press -> ack', run.pressAck)]
  if (run.pressScheduled) rows.push(row('press -> scheduled', run.pressScheduled))
  const lines = [
    `Relais pickup bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, ` +
      `load average ${num(meta.load[0], 2)} at start, ${num(meta.load[1], 2)} at end`,
    `${o.buttons} simulated buttons (one MQTT client each) at ${o.sites} sites, in-process cloud (Aedes, SQLite); ` +
      `${o.buttons * o.pressesPerButton} presses at ${o.rate}/s, single and long in turn (each single opens a request).`,
    'Timed: press -> ack = press published -> its cmd/ack with the pickup received; press -> scheduled: -> the request on ' +
      "the courier's round with a window (ack or cmd/pickup). Timed in the bench process (performance.now).",
    'Baseline (same run, same clients and pace): a bare MQTT round trip on the same broker, QoS 1 publish -> ' +
      'in-process echo -> QoS 1 to the client, measured before and after the presses, pooled.',
    '',
    ...table([PICKUP_COLUMNS, ...rows]),
    '',
    `press outcomes: ${Object.entries(run.outcomes)
      .map(([k, n]) => `${k} ${n}`)
      .join(
        ', ',
      )}; ${run.errors === 0 ? 'no errors' : `${run.errors} ERRORS (unexpected outcomes, lost acks, invalid messages)`}`,
    run.pressScheduled
      ? "press -> scheduled includes the round service's settle time: a re-plan waits 200 ms for more changes."
      : 'press -> scheduled: NOT MEASURED (this build schedules no rounds)',
    `route: the live round at ${route.stops} stops: planRoute median ${num(route.planMedianMs, 2)} ms ` +
      `(min ${num(route.planMinMs, 2)}, ${o.routeRuns} runs), nearest neighbour alone ${num(route.nnMedianMs, 2)} ms ` +
      `(${num(route.planMedianMs / route.nnMedianMs, 1)}x); length ${num(route.lengthKm, 2)} km vs NN ` +
      `${num(route.nnLengthKm, 2)} km (${num(((route.lengthKm - route.nnLengthKm) / route.nnLengthKm) * 100, 1)} %)`,
    route.replan
      ? `route: the round service's re-plan of that round (read stops, plan, write stops and windows in one ` +
        `transaction): median ${num(route.replan.medianMs, 2)} ms (min ${num(route.replan.minMs, 2)}), ` +
        `${num(route.replan.medianMs / route.planMedianMs, 1)}x planRoute alone`
      : "route: the round service's re-plan: NOT MEASURED (no round service)",
  ]
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n')
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
  )
}
