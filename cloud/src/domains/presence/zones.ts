// Zones (a shop floor, a door) and where each beacon reader stands. A reader is one device of an agent;
// its events are applied only for the zone it is placed in (presence-handler.ts).
import { isDeviceId, isId } from '@relais/hardware'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { writeTx } from '../../storage/write-tx.js'
import { DEFAULT_READER } from './placements.js'

export interface Zone {
  id: string
  name: string
  siteId: string | null
}

export async function addZone(
  db: Db,
  input: { id: string; name?: string; siteId?: string },
  now = Date.now(),
): Promise<Zone> {
  if (!isId(input.id)) throw invalid(`zone id '${input.id}': use a-z, 0-9 and '-'`)
  const id = input.id
  const name = input.name?.trim() || id
  if (name.length > 200) throw invalid('a zone name is at most 200 characters')
  await writeTx(db, async (trx) => {
    if (await trx.selectFrom('zones').select('id').where('id', '=', id).executeTakeFirst())
      throw conflict(`zone '${id}' already exists`)
    if (input.siteId !== undefined) {
      const s = await trx.selectFrom('sites').select('id').where('id', '=', input.siteId).executeTakeFirst()
      if (!s) throw notFound(`site '${input.siteId}'`)
    }
    await trx
      .insertInto('zones')
      .values({ id, name, site_id: input.siteId ?? null, created_at: now })
      .execute()
  })
  return { id, name, siteId: input.siteId ?? null }
}

export async function getZone(db: Db, id: string): Promise<Zone> {
  const z = await db.selectFrom('zones').selectAll().where('id', '=', id).executeTakeFirst()
  if (!z) throw notFound(`zone '${id}'`)
  return { id: z.id, name: z.name, siteId: z.site_id }
}

export async function listZones(db: Db): Promise<Zone[]> {
  const rows = await db.selectFrom('zones').selectAll().orderBy('id').execute()
  return rows.map((z) => ({ id: z.id, name: z.name, siteId: z.site_id }))
}

/** Places (or moves) a reader; the caller pushes the agent's new allow-list. */
export async function placeReader(
  db: Db,
  input: { agent: string; device?: string; zone: string },
  now = Date.now(),
): Promise<{ agent: string; device: string; zone: string }> {
  const device = input.device ?? DEFAULT_READER
  if (!isDeviceId(device)) throw invalid(`'${device}' is not a device id`)
  await writeTx(db, async (trx) => {
    const a = await trx.selectFrom('agents').select('id').where('id', '=', input.agent).executeTakeFirst()
    if (!a) throw notFound(`agent '${input.agent}'`)
    const z = await trx.selectFrom('zones').select('id').where('id', '=', input.zone).executeTakeFirst()
    if (!z) throw notFound(`zone '${input.zone}'`)
    await trx
      .deleteFrom('reader_placements')
      .where('agent_id', '=', input.agent)
      .where('device_id', '=', device)
      .execute()
    await trx
      .insertInto('reader_placements')
      .values({ agent_id: input.agent, device_id: device, zone_id: input.zone, placed_at: now })
      .execute()
  })
  return { agent: input.agent, device, zone: input.zone }
}
