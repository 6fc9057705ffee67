// Every connect and disconnect of an agent, with the broker's reason (connection-watch.ts), as points in
// the time series (`agent_link`, tags agent and event, fields reason and detail), for the ops page's
// timeline. Availability keeps only the latest link change; this keeps the history, with the time
// series' retention and its loss rules: best effort, never in the way of the broker (record() never
// blocks or throws). Refused CONNECTs are left out: their client ids are whatever a stranger sent, and
// the auth_failures alert counts them.
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

/** An agent's connects and disconnects since `from`, newest first, as timeline entries. */
export async function linkEntries(
  series: { query(q: SeriesQuery): Promise<SeriesRow[]> },
  agent: string,
  from: number,
  to: number,
  limit: number,
): Promise<TimelineEntry[]> {
  const rows = await series.query({ measurement: LINK_MEASUREMENT, from, to, where: { agent } })
  return rows
    .slice(-limit)
    .reverse()
    .map((r) => {
      const reason = String(r.fields.reason ?? '?')
      const detail = typeof r.fields.detail === 'string' ? ` (${r.fields.detail})` : ''
      const connect = r.tags.event === 'connect'
      return {
        at: r.ts,
        type: connect ? 'connect' : 'disconnect',
        text: connect ? 'connected' : `disconnected: ${reason}${detail}`,
        device: null,
        alertId: null,
      }
    })
}
