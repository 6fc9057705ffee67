// Folds the workers' replies and the cloud-side readings of one fleet size into its report row.
import type { FleetResult } from './fleet-run.js'
import type { Scanned } from './fleet-workers.js'
import { quantile } from './phases.js'

export type CloudSide = Pick<
  FleetResult,
  | 'provisionSeconds'
  | 'connectSeconds'
  | 'cloudConnected'
  | 'cloudRssStartMB'
  | 'cloudRssMB'
  | 'cloudRssMaxMB'
  | 'cloudCpuPercent'
  | 'cloudCpuWaitPercent'
  | 'pointsPerSec'
  | 'droppedPoints'
>

export function summarise(k: number, parts: Scanned[], cloud: CloudSide): FleetResult {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b)
  const seconds = Math.max(...parts.map((p) => p.seconds))
  const outcomes: Record<string, number> = {}
  for (const p of parts)
    for (const [key, n] of Object.entries(p.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + n
  const add = (f: (p: Scanned) => number) => parts.reduce((s, p) => s + f(p), 0)
  return {
    agents: k,
    ...cloud,
    held: add((p) => p.held),
    seconds,
    sent: add((p) => p.sent),
    acked: latencies.length,
    ackedPerSec: latencies.length / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    lost: add((p) => p.lost),
    errors: add((p) => p.unmatched + p.publishErrors),
    outcomes,
    healthPerSec: add((p) => p.healthSent) / seconds,
    generatorCpuPercent: add((p) => p.cpuPercent),
    generatorRssMB: add((p) => p.rssMB),
  }
}
