// A household's scanners as its page shows them: the agents provisioned for it (the agents table), what
// the AgentState feature knows of each right now, and the last scan each put on the household's list.
//
// The last scan is read from the list (items.last_scan_at per last_scan_agent) rather than remembered
// from the bus: it survives a cloud restart, counts only scans that were applied (not duplicates or
// rejects), and needs no link between ingest and fleet. Open pages learn of a new scan from the list's
// own `change` event and read this again. Its one blind spot: an item deleted from the list takes its
// scan time with it.
import type { Db } from '../../storage/db.js'
import { getHousehold } from '../households/households.js'
import {
  type AgentStateReader,
  type DeviceView,
  deviceViews,
  droppedOf,
  emptySnapshot,
  pendingOf,
} from './agent-snapshot.js'

export interface HouseholdAgent {
  agent: string
  online: boolean
  since: number | null
  lastSeen: number | null
  lastScanAt: number | null
  /** Events waiting in the agent's outbox (its health's outbox_depth); null until it reports one. */
  pending: number | null
  /** Events the agent's outbox had to drop (outbox_dropped); null until it reports one. */
  dropped: number | null
  version: string | null
  devices: DeviceView[]
}

export async function householdAgents(
  db: Db,
  state: AgentStateReader | undefined,
  householdId: string,
): Promise<HouseholdAgent[]> {
  await getHousehold(db, householdId) // 404 for a household that does not exist
  const agents = await db
    .selectFrom('agents')
    .select('id')
    .where('household_id', '=', householdId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'asc')
    .execute()
  if (agents.length === 0) return []
  const scans = await db
    .selectFrom('items')
    .innerJoin('lists', 'lists.id', 'items.list_id')
    .select((eb) => ['items.last_scan_agent as agent', eb.fn.max('items.last_scan_at').as('at')])
    .where('lists.household_id', '=', householdId)
    .where('items.last_scan_agent', 'is not', null)
    .groupBy('items.last_scan_agent')
    .execute()
  // Number(): PostgreSQL's driver returns bigint columns as strings.
  const lastScan = new Map(scans.map((r) => [r.agent, r.at === null ? null : Number(r.at)]))
  return agents.map(({ id }) => {
    const s = state?.get(id) ?? emptySnapshot(id)
    return {
      agent: id,
      online: s.online,
      since: s.since,
      lastSeen: s.lastSeen,
      lastScanAt: lastScan.get(id) ?? null,
      pending: pendingOf(s),
      dropped: droppedOf(s),
      version: s.info?.version ?? null,
      devices: deviceViews(s),
    }
  })
}
