// Depots: where couriers start and end their rounds. A request with no courier of its own goes to a
// courier of the depot nearest its site (issue 4), so a depot is a point as much as an address.
import { isId } from '@relais/hardware'
import { conflict, invalid } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import type { DepotsTable } from '../../storage/schema.js'

export interface DepotInput {
  id: string
  name?: string
  address: string
  lat: number
  lon: number
}

/** Checks a latitude/longitude pair; the message names the field, as ops staff typed it. */
export function checkPoint(lat: number, lon: number): void {
  if (!Number.isFinite(lat) || Math.abs(lat) > 90) throw invalid('lat must be a latitude from -90 to 90')
  if (!Number.isFinite(lon) || Math.abs(lon) > 180) throw invalid('lon must be a longitude from -180 to 180')
}

export async function createDepot(db: Db, d: DepotInput, now = Date.now()): Promise<DepotsTable> {
  if (!isId(d.id)) throw invalid("depot id must be 1-63 characters of a-z, 0-9 and '-'")
  checkPoint(d.lat, d.lon)
  if (!d.address.trim()) throw invalid('address must not be empty')
  const row: DepotsTable = {
    id: d.id,
    name: d.name?.trim() || d.id,
    address: d.address.trim(),
    lat: d.lat,
    lon: d.lon,
    created_at: now,
  }
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('depots').select('id').where('id', '=', d.id).executeTakeFirst())
      throw conflict(`depot '${d.id}' already exists`)
    await trx.insertInto('depots').values(row).execute()
  })
  return row
}
