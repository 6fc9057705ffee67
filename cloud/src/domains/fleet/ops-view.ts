// The ops page's view of the fleet: the registry (kind, placement, tags, firmware, devices) joined with
// what availability declares (online or offline as people should trust it: after the grace period, with
// since, last seen and the last disconnect reason), the last health report and the count of unresolved
// alerts. Everything but the alert counts is in memory, so a page of a few hundred agents is one query
// of the registry and one of the alert log.
import type { Db } from '../../storage/db.js'
import type { AvailabilityReader } from '../availability/availability-tracker.js'
import type { AgentStateReader } from './agent-snapshot.js'
import { listRegistry, type RegistryAgent, type RegistryFilter } from './registry.js'

export type OpsState = 'online' | 'offline' | 'unknown'

export interface OpsAgent extends RegistryAgent {
  /** Registry kind and the kinds of the devices its birth named. */
  kinds: string[]
  state: OpsState
  since: number | null
  /** The link went down at this time; declared offline only once the grace period ran out. */
  goingDownSince: number | null
  offlineCause: 'status' | 'silence' | null
  lastDisconnect: { reason: string; at: number; detail: string | null } | null
  /** The last health report's numbers (memory, event-loop lag, outbox, battery...), when one came. */
  health: { at: number; fields: Record<string, number | boolean | string | null> } | null
  openAlerts: number
}

export interface OpsFilter extends Omit<RegistryFilter, 'id' | 'kind'> {
  id?: string
  kind?: string
  state?: OpsState
  household?: string
  site?: string
  zone?: string
}

export interface OpsSources {
  db: Db
  agents?: AgentStateReader
  availability?: AvailabilityReader
}

/** Unresolved alerts by subject (an agent id; auth failures name a remote address and match none). */
export async function openAlertCounts(db: Db, subject?: string): Promise<Map<string, number>> {
  let q = db
    .selectFrom('alerts')
    .select(['subject', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('cleared_at', 'is', null)
    .groupBy('subject')
  if (subject !== undefined) q = q.where('subject', '=', subject)
  const rows = await q.execute()
  return new Map(rows.map((r) => [r.subject, Number(r.n)]))
}

export function opsAgent(r: RegistryAgent, s: OpsSources, alerts: Map<string, number>): OpsAgent {
  const a = s.availability?.get(r.agent)
  const snap = s.agents?.get(r.agent)
  const kinds = new Set<string>(a?.kinds ?? [])
  if (r.kind !== null) kinds.add(r.kind)
  for (const d of r.devices) if (d.kind !== null) kinds.add(d.kind)
  const health = a?.health ?? snap?.health ?? null
  // Without the availability feature, the agent's own retained status is all there is.
  const state: OpsState =
    a !== undefined ? a.state : snap === undefined ? 'unknown' : r.online ? 'online' : 'offline'
  return {
    ...r,
    kinds: [...kinds].sort(),
    state,
    since: a !== undefined ? a.since : (snap?.since ?? null),
    goingDownSince: a?.pendingDownAt ?? null,
    offlineCause: a?.offlineCause ?? null,
    lastDisconnect: a?.lastDisconnect ?? null,
    lastSeen: a?.lastSeen ?? r.lastSeen,
    health: health === null ? null : { at: health.at, fields: { ...health.fields } },
    openAlerts: alerts.get(r.agent) ?? 0,
  }
}

/** Every agent (one, with `id`), before the filters the counts at the top of the page must ignore. */
export async function listOps(s: OpsSources, f: Pick<OpsFilter, 'id' | 'revoked'> = {}): Promise<OpsAgent[]> {
  const rows = await listRegistry(s.db, s.agents, { id: f.id, revoked: f.revoked })
  const alerts = await openAlertCounts(s.db, f.id)
  return rows.map((r) => opsAgent(r, s, alerts))
}

export function filterOps(agents: OpsAgent[], f: OpsFilter): OpsAgent[] {
  return agents.filter(
    (a) =>
      (f.tag === undefined || a.tags.includes(f.tag)) &&
      (f.kind === undefined || a.kinds.includes(f.kind)) &&
      (f.state === undefined || a.state === f.state) &&
      (f.household === undefined || a.householdId === f.household) &&
      (f.site === undefined || a.siteId === f.site) &&
      (f.zone === undefined || a.zoneId === f.zone),
  )
}

/** How many agents are in each state, before any filter: the page's counts at the top. */
export function countStates(agents: OpsAgent[]): Record<OpsState, number> {
  const counts: Record<OpsState, number> = { online: 0, offline: 0, unknown: 0 }
  for (const a of agents) counts[a.state]++
  return counts
}
