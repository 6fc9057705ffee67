// Every connect and disconnect of an agent, with the broker's reason (connection-watch.ts), as points in
// the time series (`agent_link`, tags agent and event, fields reason and detail), for the ops page's
// timeline. Availability keeps only the latest link change; this keeps the history, with the time
// series' retention and its loss rules: best effort, never in the way of the broker (record() never
// blocks or throws). Refused CONNECTs are left out: their client ids are whatever a stranger sent, and
// the auth_failures alert counts them. What ops did to the agent (commands, config pushes, with who) goes
// beside it (`agent_ops`); historyEntries() reads both back as timeline entries.
import { type Feature, isDeviceId } from '@relais/hardware'
import type { Aedes } from 'aedes'
import type { PointRecorder } from '../../ingest/bus.js'
import type { SeriesQuery, SeriesRow } from '../../timeseries/sink.js'
import { watchConnections } from '../availability/connection-watch.js'
import type { TimelineEntry } from './timeline.js'

export const LINK_MEASUREMENT = 'agent_link'

export interface LinkLogOptions {
  aedes: Aedes
  series: PointRecorder
  now?: () => number
}

export class LinkLog implements Feature {
  readonly name = 'link-log'
  private stopWatch?: () => void

  constructor(private readonly o: LinkLogOptions) {}

  start(): void {
    const now = this.o.now ?? Date.now
    const record = (
      agent: string,
      event: 'connect' | 'disconnect',
      reason: string,
      detail: string | null,
    ) => {
      if (!isDeviceId(agent)) return
      const fields: Record<string, string> = { reason }
      if (detail !== null) fields.detail = detail.slice(0, 200)
      this.o.series.record({ measurement: LINK_MEASUREMENT, tags: { agent, event }, fields, ts: now() })
    }
    this.stopWatch = watchConnections(this.o.aedes, {
      session: (agent) => record(agent, 'connect', 'connect', null),
      seen: () => {},
      disconnected: (agent, reason, detail) => {
        if (reason !== 'refused_auth') record(agent, 'disconnect', reason, detail)
      },
      authFailure: () => {},
    })
  }

  stop(): void {
    this.stopWatch?.()
  }
}

export const OPS_MEASUREMENT = 'agent_ops'

/** What ops did to an agent (a command sent, a config pushed), beside its link events. */
export function recordOpsAction(
  series: PointRecorder | undefined,
  agent: string,
  action: 'command' | 'config',
  fields: { what: string; by: string; revision?: number },
): void {
  const f: Record<string, string | number> = { what: fields.what, by: fields.by }
  if (fields.revision !== undefined) f.revision = fields.revision
  series?.record({
    measurement: OPS_MEASUREMENT,
    tags: { agent, action },
    fields: f,
    ts: Date.now(),
    ints: REVISION,
  })
}
const REVISION = ['revision'] as const

type SeriesReader = { query(q: SeriesQuery): Promise<SeriesRow[]> }

function linkEntry(r: SeriesRow): TimelineEntry {
  const reason = String(r.fields.reason ?? '?')
  const detail = typeof r.fields.detail === 'string' ? ` (${r.fields.detail})` : ''
  const connect = r.tags.event === 'connect'
  const text = connect ? 'connected' : `disconnected: ${reason}${detail}`
  return { at: r.ts, type: connect ? 'connect' : 'disconnect', text, device: null, alertId: null }
}

function opsEntry(r: SeriesRow): TimelineEntry {
  const by = String(r.fields.by ?? '?')
  const config = r.tags.action === 'config'
  const text = config
    ? `config revision ${r.fields.revision} pushed by ${by}`
    : `${String(r.fields.what)} sent by ${by}`
  return { at: r.ts, type: config ? 'config' : 'command', text, device: null, alertId: null }
}

/**
 * An agent's connects, disconnects and ops actions since `from`, newest first, at most `limit` of each;
 * undefined when the time series cannot answer (the timeline then has the last disconnect only).
 */
export async function historyEntries(
  series: SeriesReader,
  agent: string,
  from: number,
  to: number,
  limit: number,
  log: { warn(o: object, msg: string): void },
): Promise<TimelineEntry[] | undefined> {
  try {
    const q = { from, to, where: { agent } }
    const links = await series.query({ measurement: LINK_MEASUREMENT, ...q })
    const ops = await series.query({ measurement: OPS_MEASUREMENT, ...q })
    return [...links.slice(-limit).map(linkEntry), ...ops.slice(-limit).map(opsEntry)]
  } catch (err) {
    log.warn({ err, agent }, 'agent history not read; the timeline has the last disconnect only')
    return undefined
  }
}
