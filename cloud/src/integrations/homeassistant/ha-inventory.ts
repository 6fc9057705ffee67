// What the Home Assistant bridge shows, read from the registry and the fleet's agent state: every
// unrevoked agent with the scanners and buttons of its last birth, every presence zone with how many are
// present now, and a button's pickup before any press or notice was heard since the cloud started.
import type { AckPickup } from '@relais/hardware'
import type { AgentSnapshot } from '../../domains/fleet/agent-snapshot.js'
import { ackPickup } from '../../domains/pickups/press-handler.js'
import { presentIn } from '../../domains/presence/present.js'
import { listZones } from '../../domains/presence/zones.js'
import type { Db } from '../../storage/db.js'
import type { AgentEntry, ZoneEntry } from './ha-discovery.js'

const DAY_MS = 86_400_000
const SHOWN_KINDS: ReadonlySet<string> = new Set(['scanner', 'button'])

export interface AgentInventory extends AgentEntry {
  /** The agent's birth was heard since the cloud started: its device list is the truth, not a guess. */
  devicesKnown: boolean
}

/** Unrevoked agents; a revoked or deleted one is absent, so its entities are removed. */
export async function agentInventory(
  db: Db,
  snapshot: (agent: string) => AgentSnapshot | undefined,
): Promise<AgentInventory[]> {
  const rows = await db
    .selectFrom('agents')
    .select(['id', 'kind'])
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .execute()
  return rows.map((r) => {
    const s = snapshot(r.id)
    const info = s?.info ?? null
    const kinds = new Map((info?.devices ?? []).map((d) => [d.id, d.kind]))
    // A device's own status may name its kind when the birth did not (deviceViews does the same).
    for (const [id, st] of s?.devices ?? []) if (st.kind !== null && !kinds.has(id)) kinds.set(id, st.kind)
    const devices = [...kinds]
      .filter(([, kind]) => SHOWN_KINDS.has(kind))
      .map(([id, kind]) => ({ id, kind }))
      .sort((a, b) => a.id.localeCompare(b.id))
    return { id: r.id, kind: r.kind, version: info?.version ?? null, devices, devicesKnown: info !== null }
  })
}

export async function zoneInventory(db: Db): Promise<ZoneEntry[]> {
  return (await listZones(db)).map((z) => ({ id: z.id, name: z.name }))
}

/** Members present in the zone now (presentIn counts a member seen by two readers once). */
export async function zoneCount(db: Db, zone: string): Promise<number> {
  return (await presentIn(db, zone)).length
}

/** What the button shows: its open request, else its latest of the last day (as after a birth). */
export async function latestPickup(
  db: Db,
  agent: string,
  device: string,
  now: number,
): Promise<AckPickup | undefined> {
  const open = await db
    .selectFrom('pickup_requests')
    .selectAll()
    .where('agent_id', '=', agent)
    .where('device_id', '=', device)
    .where('state', 'in', ['requested', 'scheduled'])
    .orderBy('updated_at', 'desc')
    .executeTakeFirst()
  const row =
    open ??
    (await db
      .selectFrom('pickup_requests')
      .selectAll()
      .where('agent_id', '=', agent)
      .where('device_id', '=', device)
      .where('updated_at', '>', now - DAY_MS)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst())
  return row === undefined ? undefined : ackPickup(row)
}
