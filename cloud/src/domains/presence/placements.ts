// Where each beacon reader stands. Two sources: an explicit placement of one reader device
// (`relais zone place`, reader_placements), and the zone an agent was provisioned in
// (`relais agent add --zone`, the fleet registry's agents.zone_id, migration 0006), which places the
// agent's default reader (DEFAULT_READER) unless that reader has an explicit placement.
import type { Kysely } from 'kysely'
import type { Database } from '../../storage/schema.js'

/** The reader device an agent gets when none is named (the edge's first BLE adapter). */
export const DEFAULT_READER = 'ble-0'

export interface Placement {
  agent: string
  device: string
  zone: string
}

/** Every placed reader of an unrevoked agent. */
export async function readerPlacements(db: Kysely<Database>): Promise<Placement[]> {
  const explicit = await db
    .selectFrom('reader_placements as p')
    .innerJoin('agents as a', 'a.id', 'p.agent_id')
    .select(['p.agent_id', 'p.device_id', 'p.zone_id'])
    .where('a.revoked_at', 'is', null)
    .execute()
  const out: Placement[] = explicit.map((p) => ({ agent: p.agent_id, device: p.device_id, zone: p.zone_id }))
  const taken = new Set(out.map((p) => `${p.agent}\n${p.device}`))
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'zone_id'])
    .where('revoked_at', 'is', null)
    .where('zone_id', 'is not', null)
    .execute()
  for (const a of agents) {
    if (!taken.has(`${a.id}\n${DEFAULT_READER}`))
      out.push({ agent: a.id, device: DEFAULT_READER, zone: a.zone_id! })
  }
  return out
}

/** The zone one reader stands in, or undefined when it is placed nowhere. */
export async function readerZone(
  db: Kysely<Database>,
  agent: string,
  device: string,
): Promise<string | undefined> {
  const p = await db
    .selectFrom('reader_placements')
    .select('zone_id')
    .where('agent_id', '=', agent)
    .where('device_id', '=', device)
    .executeTakeFirst()
  if (p !== undefined) return p.zone_id
  if (device !== DEFAULT_READER) return undefined
  const a = await db.selectFrom('agents').select('zone_id').where('id', '=', agent).executeTakeFirst()
  return a?.zone_id ?? undefined
}
