// Couriers: who collects, from which depot, on which working day (minutes after local midnight in
// RELAIS_TZ), at what speed, how long each stop takes and how wide a window the customer is shown.
// A site may name its courier; otherwise the courier of the nearest depot collects it (issue 4).
import { isId } from '@relais/hardware'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'

export interface CourierInput {
  id: string
  depotId: string
  name?: string
  phone?: string
  /** 'HH:MM-HH:MM', local time; the end may be 24:00. Default 08:00-18:00. */
  shift?: string
  /** Average speed over the legs. Default 30 km/h. */
  speedKmh?: number
  /** Time at each stop. Default 180 s. */
  serviceS?: number
  /** ETA window shown to the customer. Default 60 min. */
  windowMin?: number
}

export interface Courier {
  id: string
  name: string
  depotId: string
  phone: string | null
  shiftStartMin: number
  shiftEndMin: number
  speedMps: number
  serviceS: number
  windowS: number
}

/** '08:00-18:00' as minutes after midnight. A shift may not cross midnight: a round is one day's. */
export function parseShift(text: string): { startMin: number; endMin: number } {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text.trim())
  const bad = () => invalid(`shift '${text}': expected HH:MM-HH:MM, such as 08:00-18:00, within one day`)
  if (m === null) throw bad()
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number]
  if (m1 > 59 || m2 > 59) throw bad()
  const startMin = h1 * 60 + m1
  const endMin = h2 * 60 + m2
  if (startMin >= 24 * 60 || endMin > 24 * 60 || endMin <= startMin) throw bad()
  return { startMin, endMin }
}

function positive(name: string, v: number | undefined, max: number): number | undefined {
  if (v === undefined) return undefined
  if (!Number.isFinite(v) || v <= 0 || v > max)
    throw invalid(`${name} must be a number above 0, at most ${max}`)
  return v
}

export async function createCourier(db: Db, c: CourierInput, now = Date.now()): Promise<Courier> {
  if (!isId(c.id)) throw invalid("courier id must be 1-63 characters of a-z, 0-9 and '-'")
  const shift = parseShift(c.shift ?? '08:00-18:00')
  const speedKmh = positive('speed (km/h)', c.speedKmh, 200) ?? 30
  const serviceS = positive('service time (s)', c.serviceS, 3600) ?? 180
  const windowMin = positive('window (min)', c.windowMin, 24 * 60) ?? 60
  const courier: Courier = {
    id: c.id,
    name: c.name?.trim() || c.id,
    depotId: c.depotId,
    phone: c.phone?.trim() || null,
    shiftStartMin: shift.startMin,
    shiftEndMin: shift.endMin,
    speedMps: speedKmh / 3.6,
    serviceS: Math.round(serviceS),
    windowS: Math.round(windowMin * 60),
  }
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('couriers').select('id').where('id', '=', c.id).executeTakeFirst())
      throw conflict(`courier '${c.id}' already exists`)
    if (!(await trx.selectFrom('depots').select('id').where('id', '=', c.depotId).executeTakeFirst()))
      throw notFound(`depot '${c.depotId}'`)
    await trx
      .insertInto('couriers')
      .values({
        id: courier.id,
        name: courier.name,
        depot_id: courier.depotId,
        phone: courier.phone,
        shift_start_min: courier.shiftStartMin,
        shift_end_min: courier.shiftEndMin,
        speed_mps: courier.speedMps,
        service_s: courier.serviceS,
        window_s: courier.windowS,
        created_at: now,
        retired_at: null,
      })
      .execute()
  })
  return courier
}

/** Makes `courierId` the courier of a site (null: back to the courier of the nearest depot). */
export async function assignSiteCourier(db: Db, siteId: string, courierId: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await trx.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst()))
      throw notFound(`site '${siteId}'`)
    if (courierId !== null) {
      const c = await trx
        .selectFrom('couriers')
        .select(['id', 'retired_at'])
        .where('id', '=', courierId)
        .executeTakeFirst()
      if (!c) throw notFound(`courier '${courierId}'`)
      if (c.retired_at !== null) throw conflict(`courier '${courierId}' is retired`)
    }
    await trx.updateTable('sites').set({ courier_id: courierId }).where('id', '=', siteId).execute()
  })
}
