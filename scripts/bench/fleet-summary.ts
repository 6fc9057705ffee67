// Folds the workers' replies and the cloud-side readings of one fleet size into its report row.
import type { FleetResult, NodeFigures } from './fleet-run.js'
import type { Scanned } from './fleet-workers.js'
import { quantile } from './phases.js'

/** The figures a cluster has as the sum of its nodes' (sumNodes). */
type Summed =
  | 'cloudConnected'
  | 'cloudRssStartMB'
  | 'cloudRssMB'
  | 'cloudRssMaxMB'
  | 'cloudCpuPercent'
  | 'cloudCpuWaitPercent'
  | 'pointsPerSec'
  | 'droppedPoints'

export type CloudSide = Pick<
  FleetResult,
  'provisionSeconds' | 'connectSeconds' | Summed | 'nodes' | 'store' | 'perNode' | 'services'
>

/**
 * The cluster's figures from its nodes': RSS, CPU, CPU wait, points and connections summed (the
 * cluster's cost is all of its processes'); the RSS maximum is the sum of each node's own maximum, an
 * upper bound, since the nodes need not peak at the same moment.
 */
export function sumNodes(perNode: NodeFigures[]): Pick<CloudSide, Summed> {
  const add = (f: (n: NodeFigures) => number) => perNode.reduce((s, n) => s + f(n), 0)
  return {
    cloudConnected: add((n) => n.connected),
    cloudRssStartMB: add((n) => n.rssStartMB),
    cloudRssMB: add((n) => n.rssMB),
    cloudRssMaxMB: add((n) => n.rssMaxMB),
    cloudCpuPercent: add((n) => n.cpuPercent),
    cloudCpuWaitPercent: add((n) => n.cpuWaitPercent),
    pointsPerSec: add((n) => n.pointsPerSec),
    droppedPoints: add((n) => n.droppedPoints),
  }
}

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
