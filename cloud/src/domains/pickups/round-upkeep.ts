// The round service's bookkeeping, each one transaction: put unassigned open requests on a round,
// roll requests of a day that has passed onto a new one, and expire requests nobody collected.
// Every update is guarded by `state in (requested, scheduled)`: the ingest writer thread may have
// closed the request (a long press) since it was read.
import type { Db } from '../../storage/db.js'
import type { PickupRequestsTable } from '../../storage/schema.js'
import { writeTx } from '../../storage/write-tx.js'
import { type CourierAtDepot, courierForSite, dayFor } from './assignment.js'
import { localDay } from './local-time.js'
import { OPEN_STATES, type RequestChange } from './request-change.js'
import { ensureRound } from './round-plan.js'
import { recordTransition } from './transitions.js'

export interface RoundKey {
  courierId: string
  day: string
}

export async function workingCouriers(db: Db): Promise<CourierAtDepot[]> {
  const couriers = await db.selectFrom('couriers').selectAll().where('retired_at', 'is', null).execute()
  const depots = new Map((await db.selectFrom('depots').selectAll().execute()).map((d) => [d.id, d] as const))
  return couriers.map((courier) => ({ courier, depot: depots.get(courier.depot_id)! }))
}

/**
 * Puts every open request that is on no round onto its courier's round (assignment.ts). Returns the
 * rounds that gained requests, and the requests that have no courier at all (they stay `requested`).
 */
export async function assignPending(
  db: Db,
  now: number,
  timeZone: string,
): Promise<{ rounds: RoundKey[]; unassigned: string[] }> {
  const pending = await db
    .selectFrom('pickup_requests as r')
    .innerJoin('sites as s', 's.id', 'r.site_id')
    .select(['r.id', 's.lat', 's.lon', 's.courier_id'])
    .where('r.round_id', 'is', null)
    .where('r.state', 'in', OPEN_STATES)
    .execute()
  if (pending.length === 0) return { rounds: [], unassigned: [] }
  const working = await workingCouriers(db)
  const groups = new Map<string, { c: CourierAtDepot; day: string; ids: string[] }>()
  const unassigned: string[] = []
  for (const p of pending) {
    const site = { lat: Number(p.lat), lon: Number(p.lon), courier_id: p.courier_id }
    const c = courierForSite(site, working)
    if (c === undefined) {
      unassigned.push(p.id)
      continue
    }
    const day = dayFor(c, site, now, timeZone)
    const key = `${c.courier.id}\n${day}`
    const g = groups.get(key) ?? { c, day, ids: [] }
    g.ids.push(p.id)
    groups.set(key, g)
  }
  const rounds: RoundKey[] = []
  for (const g of groups.values()) {
    await writeTx(db, async (trx) => {
      const roundId = await ensureRound(trx, g.c, g.day, now, timeZone)
      await trx
        .updateTable('pickup_requests')
        .set({ round_id: roundId })
        .where('id', 'in', g.ids)
        .where('round_id', 'is', null)
        .where('state', 'in', OPEN_STATES)
        .execute()
    })
    rounds.push({ courierId: g.c.courier.id, day: g.day })
  }
  return { rounds, unassigned }
}

/**
 * Takes open requests off rounds of days that have passed, so assignPending puts them on the next
 * round. A scheduled request stays scheduled; its new window reaches the button with the re-plan.
 */
export async function rollOver(db: Db, now: number, timeZone: string): Promise<number> {
  const today = localDay(now, timeZone)
  return writeTx(db, async (trx) => {
    const stale = await trx
      .selectFrom('pickup_requests as r')
      .innerJoin('rounds as o', 'o.id', 'r.round_id')
      .select(['r.id'])
      .where('o.day', '<', today)
      .where('r.state', 'in', OPEN_STATES)
      .execute()
    if (stale.length === 0) return 0
    const ids = stale.map((x) => x.id)
    await trx.deleteFrom('round_stops').where('request_id', 'in', ids).execute()
    await trx
      .updateTable('pickup_requests')
      .set({ round_id: null })
      .where('id', 'in', ids)
      .where('state', 'in', OPEN_STATES)
      .execute()
    return ids.length
  })
}

/** Expires open requests older than `expireAfterH`; returns the changes and the rounds they left. */
export async function expireOld(
  db: Db,
  now: number,
  expireAfterH: number,
  webhook: boolean,
): Promise<{ changes: RequestChange[]; rounds: RoundKey[] }> {
  const before = now - expireAfterH * 3_600_000
  return writeTx(db, async (trx) => {
    const old = await trx
      .selectFrom('pickup_requests as r')
      .leftJoin('rounds as o', 'o.id', 'r.round_id')
      .selectAll('r')
      .select(['o.courier_id', 'o.day'])
      .where('r.requested_at', '<', before)
      .where('r.state', 'in', OPEN_STATES)
      .execute()
    const changes: RequestChange[] = []
    const rounds: RoundKey[] = []
    const reason = `not collected within ${expireAfterH} h`
    for (const row of old) {
      const { courier_id, day, ...r } = row
      const after: PickupRequestsTable = { ...r, state: 'expired', updated_at: now, closed_reason: reason }
      await trx
        .updateTable('pickup_requests')
        .set({ state: 'expired', updated_at: now, closed_reason: reason })
        .where('id', '=', r.id)
        .where('state', 'in', OPEN_STATES)
        .execute()
      await trx.deleteFrom('round_stops').where('request_id', '=', r.id).execute()
      await recordTransition(
        trx,
        { request: after, from: r.state, to: 'expired', at: now, by: 'system', reason, eventId: null },
        { webhook },
      )
      changes.push({ request: after, from: r.state, transition: true, courierId: courier_id, notify: true })
      if (courier_id !== null && day !== null) rounds.push({ courierId: courier_id, day })
    }
    return { changes, rounds }
  })
}

/**
 * Takes open requests off rounds of today or later whose courier no longer serves their site: ops
 * staff gave the site another courier (`relais site assign`), or the courier retired. assignPending
 * then puts them on the right round; the rounds they left are returned for a re-plan.
 */
export async function releaseMisassigned(db: Db, now: number, timeZone: string): Promise<RoundKey[]> {
  const today = localDay(now, timeZone)
  return writeTx(db, async (trx) => {
    const wrong = await trx
      .selectFrom('pickup_requests as r')
      .innerJoin('rounds as o', 'o.id', 'r.round_id')
      .innerJoin('sites as s', 's.id', 'r.site_id')
      .innerJoin('couriers as c', 'c.id', 'o.courier_id')
      .leftJoin('couriers as own', 'own.id', 's.courier_id')
      .select(['r.id', 'o.courier_id', 'o.day'])
      .where('o.day', '>=', today)
      .where('r.state', 'in', OPEN_STATES)
      .where((eb) =>
        eb.or([
          eb('c.retired_at', 'is not', null),
          eb.and([
            eb('s.courier_id', 'is not', null),
            eb('s.courier_id', '!=', eb.ref('o.courier_id')),
            eb('own.retired_at', 'is', null),
          ]),
        ]),
      )
      .execute()
    if (wrong.length === 0) return []
    const ids = wrong.map((w) => w.id)
    await trx.deleteFrom('round_stops').where('request_id', 'in', ids).execute()
    await trx
      .updateTable('pickup_requests')
      .set({ round_id: null })
      .where('id', 'in', ids)
      .where('state', 'in', OPEN_STATES)
      .execute()
    const keys = new Map(
      wrong.map((w) => [`${w.courier_id}\n${w.day}`, { courierId: w.courier_id, day: w.day }]),
    )
    return [...keys.values()]
  })
}
