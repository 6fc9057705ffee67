// Sites: where pickup buttons are placed (an address a courier drives to).
import { assertId } from '@relais/hardware'
import { conflict, invalid } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'

export interface SiteInput {
  id: string
  name?: string
  address: string
  lat: number
  lon: number
  notes?: string
  contact?: string
}

export async function createSite(db: Db, s: SiteInput, now = Date.now()): Promise<void> {
  const id = assertId('site', s.id)
  if (!Number.isFinite(s.lat) || Math.abs(s.lat) > 90) throw invalid('lat must be a latitude from -90 to 90')
  if (!Number.isFinite(s.lon) || Math.abs(s.lon) > 180)
    throw invalid('lon must be a longitude from -180 to 180')
  if (!s.address.trim()) throw invalid('address must not be empty')
  if (await db.selectFrom('sites').select('id').where('id', '=', id).executeTakeFirst())
    throw conflict(`site '${id}' already exists`)
  await db
    .insertInto('sites')
    .values({
      id,
      name: s.name?.trim() || id,
      address: s.address.trim(),
      lat: s.lat,
      lon: s.lon,
      notes: s.notes ?? null,
      contact: s.contact ?? null,
      created_at: now,
    })
    .execute()
}
