// "Who of our opted-in members is here now": the open sessions of a zone, one line per member (the
// earliest open stay, when two readers of the zone see them).
import type { Db } from '../../storage/db.js'

export interface Present {
  member: string
  ref: string | null
  since: number
  agent: string
  device: string
}

export async function presentIn(db: Db, zone: string): Promise<Present[]> {
  const rows = await db
    .selectFrom('presence_sessions as s')
    .innerJoin('members as m', 'm.id', 's.member_id')
    .select(['s.member_id', 'm.ref', 's.entered_at', 's.agent_id', 's.device_id'])
    .where('s.zone_id', '=', zone)
    .where('s.left_at', 'is', null)
    .orderBy('s.entered_at')
    .execute()
  const seen = new Map<string, Present>()
  for (const r of rows) {
    if (seen.has(r.member_id)) continue
    seen.set(r.member_id, {
      member: r.member_id,
      ref: r.ref,
      since: Number(r.entered_at),
      agent: r.agent_id,
      device: r.device_id,
    })
  }
  return [...seen.values()]
}
