// Each reader's allow-list, computed from the consents (DESIGN.md, "the allow-list is pushed to readers,
// and everything else is dropped on the device"): the keys of the beacons whose member has a live
// `presence` consent for the reader's zone. Complete every time: a key left out is revoked.
import type { BeaconsConfig } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { Database } from '../../storage/schema.js'
import { PRESENCE_PURPOSE } from './consents.js'
import { readerPlacements } from './placements.js'

/** Per agent with at least one placed reader: its config's `beacons` section. */
export async function readerSections(db: Kysely<Database>, now: number): Promise<Map<string, BeaconsConfig>> {
  const placements = await readerPlacements(db)
  const keys = new Map<string, string[]>()
  const zones = [...new Set(placements.map((p) => p.zone))]
  if (zones.length > 0) {
    const rows = await db
      .selectFrom('beacons as b')
      .innerJoin('consents as c', 'c.member_id', 'b.member_id')
      .select(['b.key', 'c.zone_id'])
      .distinct()
      .where('c.zone_id', 'in', zones)
      .where('c.purpose', '=', PRESENCE_PURPOSE)
      .where('c.revoked_at', 'is', null)
      .where('c.granted_at', '<=', now)
      .where((eb) => eb.or([eb('c.expires_at', 'is', null), eb('c.expires_at', '>', now)]))
      .execute()
    for (const r of rows) {
      const list = keys.get(r.zone_id) ?? []
      list.push(r.key)
      keys.set(r.zone_id, list)
    }
  }
  const out = new Map<string, BeaconsConfig>()
  for (const p of placements) {
    const section = out.get(p.agent) ?? {}
    // Sorted, so an unchanged list compares equal and costs no new revision.
    section[p.device] = { zone: p.zone, allow: [...(keys.get(p.zone) ?? [])].sort() }
    out.set(p.agent, section)
  }
  return out
}
