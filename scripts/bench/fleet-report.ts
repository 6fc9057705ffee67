// The fleet bench's printed report: one row per fleet size (the cloud's RSS and CPU summed over its
// broker nodes), then each node's own share, the ceilings measured in the same run and the ratios to
// them, then the ack check. Every number is from this run on this machine.
import type { FleetResult, FleetRun } from './fleet-run.js'

export const COLUMNS = [
  'agents',
  'nodes',
  'store',
  'held',
  'connect s',
  'acked/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'health/s',
  'cloud RSS MB',
  'cloud CPU %',
  'CPU wait %',
  'points/s',
  'mosq PUBACK/s',
  'lost',
]

const num = (x: number | undefined, digits = 1) =>
  x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '-'

/** Unexpected acks, stray acks, failed publishes, lost scans and dropped connections: the run is invalid. */
export function errorsOf(r: FleetResult): number {
  const ok = ['added', 'incremented', 'unknown_product', 'duplicate']
  const odd = Object.entries(r.outcomes).filter(([k]) => !ok.includes(k))
  return odd.reduce((s, [, n]) => s + n, 0) + r.lost + r.errors + (r.agents - r.held)
}

export function formatFleetReport(run: FleetRun): string {
  const { meta } = run
  const o = meta.options
  const lines = [
    `Relais fleet bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, ` +
      `load average ${num(meta.load[0], 2)} at start, ${num(meta.load[1], 2)} at end`,
    `${brokerNodes(o.nodes)}; lightweight agents (one MQTT.js connection each: will, retained birth, ` +
      `health every ${o.healthS} s +-10%) over ${o.workers} worker processes; ${o.rate} scans/s over the ` +
      `fleet, each timed to its cmd/ack; ${o.seconds} s measured after all connected and ${o.settleSeconds} s settled.`,
    `Relational store: ${o.database === 'postgres' ? 'PostgreSQL (one throwaway server via the testkit, shared by the nodes; the provisioned rows copied into a fresh database per fleet size)' : 'SQLite (embedded, in the data dir)'}. ` +
      `Time series: ${meta.sink}${o.nodes > 1 ? ', each node its own' : ''}.`,
    `Cloud RSS (at the end of the window) and CPU (% of one core): the cloud process${o.nodes > 1 ? 'es only, summed over the nodes (each node below)' : ' only'}, ` +
      `from /proc; CPU wait: share of the window its main thread was runnable without a CPU${o.nodes > 1 ? ' (summed too)' : ''}.`,
    '',
  ]
  const rows = run.results.map((r) => [
    String(r.agents),
    String(r.nodes),
    r.store,
    String(r.held),
    num(r.connectSeconds, 1),
    num(r.ackedPerSec, 1),
    num(r.p50Ms, 2),
    num(r.p99Ms, 2),
    num(r.maxMs, 1),
    num(r.healthPerSec, 1),
    num(r.cloudRssMB, 0),
    num(r.cloudCpuPercent, 1),
    num(r.cloudCpuWaitPercent, 0),
    num(r.pointsPerSec, 1),
    num(r.mosquitto?.pubacksPerSec, 0),
    String(r.lost),
  ])
  lines.push(...table([COLUMNS, ...rows]), '')
  for (const r of run.results) {
    const m = r.mosquitto
    lines.push(
      `${r.agents} agents: provisioned in ${r.provisionSeconds > 0 ? `${num(r.provisionSeconds, 0)} s` : 'a cached template (copied)'}, ` +
        `cloud RSS ${num(r.cloudRssStartMB, 0)} MB before the first connect (growth per agent held ` +
        `${num(((r.cloudRssMB - r.cloudRssStartMB) * 1024) / r.agents, 1)} KB, an upper bound: warm-up counts too), max ${num(r.cloudRssMaxMB, 0)} MB, cloud's own count of connected clients ${num(r.cloudConnected, 0)}, ` +
        `load generator ${num(r.generatorCpuPercent, 0)}% of a core and ${num(r.generatorRssMB, 0)} MB ` +
        `(${num((r.generatorRssMB * 1024) / r.agents, 0)} KB per connection, the workers' Node and tsx included)`,
      ...nodeLines(r),
      ...pointLines(r),
      m === undefined
        ? '  ceiling: Mosquitto not installed (apt-get install mosquitto): no ratio'
        : `  ceiling: Mosquitto, same ${m.clients} clients, QoS 1 PUBACKs ${num(m.pubacksPerSec, 0)}/s ` +
            `(${m.window} outstanding each, ${m.failed} failed); the fleet's acked/s is ${num(r.ackedPerSec / m.pubacksPerSec, 4)} of it`,
    )
  }
  const ic = run.influxCeiling
  if (ic) {
    const ratios = run.results.map((r) => `${r.agents}: ${num(r.pointsPerSec / ic.pointsPerSec, 4)}`)
    lines.push(
      `ceiling: InfluxDB raw writes, batches of ${ic.batch} (${ic.batches} batches), ${num(ic.pointsPerSec, 0)} points/s; ` +
        `the cloud's points/s as a share of it: ${ratios.join(', ')}`,
    )
  } else {
    lines.push(
      'ceiling: InfluxDB not measured (the cloud wrote to the embedded sink; --influx to use influxd)',
    )
  }
  if (run.failure) lines.push('', `${run.failure.agents} agents: FAILED, ${run.failure.error}`)
  const errors = run.results.reduce((s, r) => s + errorsOf(r), 0)
  const outcomes = run.results.map(
    (r) =>
      `${r.agents}: ${
        Object.entries(r.outcomes)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'no scans'
      }`,
  )
  lines.push(
    '',
    `acks: ${errors === 0 ? 'every scan acked with an expected outcome, every connection held' : `${errors} ERRORS (lost, stray or unexpected acks, failed publishes, dropped connections)`}; ${outcomes.join('; ')}`,
  )
  return lines.join('\n')
}

function brokerNodes(n: number): string {
  return n === 1
    ? '1 broker node (one cloud process, Aedes in it)'
    : `${n} broker nodes (cloud processes, each an Aedes node, routing and sessions shared through one ` +
        'Redis, RELAIS_REDIS_URL); agents dealt round robin over the nodes'
}

/** Each node's share, and the shared services' cost, when there is more than one node or a server. */
function nodeLines(r: FleetResult): string[] {
  const lines: string[] = []
  if (r.perNode.length > 1)
    for (const [i, n] of r.perNode.entries())
      lines.push(
        `  node ${i + 1}: ${n.agents} agents dealt, ${num(n.connected, 0)} connected by its own count; ` +
          `RSS ${num(n.rssStartMB, 0)} MB before, ${num(n.rssMB, 0)} MB at the end (max ${num(n.rssMaxMB, 0)}); ` +
          `CPU ${num(n.cpuPercent, 1)}%, wait ${num(n.cpuWaitPercent, 0)}%; ${num(n.pointsPerSec, 1)} points/s`,
      )
  const s = r.services
  const parts = [
    s.redisCpuPercent === undefined
      ? undefined
      : `Redis CPU ${num(s.redisCpuPercent, 1)}%, RSS ${num(s.redisRssMB, 0)} MB`,
    s.postgresCpuPercent === undefined
      ? undefined
      : `PostgreSQL CPU ${num(s.postgresCpuPercent, 1)}% (postmaster and its backends)`,
  ].filter((p) => p !== undefined)
  if (parts.length > 0) lines.push(`  shared services over the window: ${parts.join('; ')}`)
  return lines
}

/**
 * Points written against the messages that should each make one (a health, a scan acked): more than one
 * per message means some were written by more than one node.
 */
function pointLines(r: FleetResult): string[] {
  const sent = r.healthPerSec + r.ackedPerSec
  if (!(sent > 0) || !Number.isFinite(r.pointsPerSec)) return []
  const per = r.pointsPerSec / sent
  return [
    `  points: ${num(r.pointsPerSec, 1)}/s written for ${num(sent, 1)}/s health and scans, ${num(per, 2)} per message` +
      (per > 1.1 ? ' (more than one: some messages were written by more than one node)' : ''),
  ]
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => cell.padStart(widths[i]!)).join('  '))
}
