// One re-plan of a courier's round of a day (issue 4): from the depot at the later of shift start and
// now, or from the last stop served today if the courier is already out; the round's open requests as
// stops; the shortest closed tour (route/planRoute, haversine) and an ETA window per stop. The plan is
// computed outside the transaction (a large round takes a while) and written in one transaction that
// only touches requests still open: a press may cancel one meanwhile in the ingest writer thread.
import type { Db } from '../../storage/db.js'
import type { PickupRequestsTable } from '../../storage/schema.js'
import { type Trx, writeTx } from '../../storage/write-tx.js'
import type { CourierAtDepot } from './assignment.js'
import { localDay, localTime } from './local-time.js'
import { OPEN_STATES, type RequestChange, WINDOW_SLACK_MS } from './request-change.js'
import { planRoute, scheduleStops } from './route/index.js'
import { recordTransition } from './transitions.js'

export interface PlanSettings {
  timeZone: string
  webhook: boolean
}

export interface PlannedRound {
  roundId: string
  revision: number
  stops: number
  lengthM: number
  changes: RequestChange[]
}

export async function loadCourier(db: Db, courierId: string): Promise<CourierAtDepot | undefined> {
  const courier = await db.selectFrom('couriers').selectAll().where('id', '=', courierId).executeTakeFirst()
  if (courier === undefined) return undefined
  const depot = await db
    .selectFrom('depots')
    .selectAll()
    .where('id', '=', courier.depot_id)
    .executeTakeFirstOrThrow()
  return { courier, depot }
}

/** Creates the round row of a courier's day if it has none; returns its id. */
export async function ensureRound(
  trx: Trx,
  c: CourierAtDepot,
  day: string,
  now: number,
  tz: string,
): Promise<string> {
  const start = localTime(day, c.courier.shift_start_min, tz)
  await trx
    .insertInto('rounds')
    .values({
      id: `${c.courier.id}-${day}`,
      courier_id: c.courier.id,
      day,
      depot_id: c.depot.id,
      starts_at: start,
      ends_at: start,
      planned_at: now,
    })
    .onConflict((oc) => oc.columns(['courier_id', 'day']).doNothing())
    .execute()
  const r = await trx
    .selectFrom('rounds')
    .select('id')
    .where('courier_id', '=', c.courier.id)
    .where('day', '=', day)
    .executeTakeFirstOrThrow()
  return r.id
}

export async function planRound(
  db: Db,
  c: CourierAtDepot,
  day: string,
  now: number,
  s: PlanSettings,
): Promise<PlannedRound | undefined> {
  const today = localDay(now, s.timeZone)
  // A past day is not planned again: the tick rolls its open requests onto a new round.
  if (day < today) return undefined
  const { courier, depot } = c
  const existing = await db
    .selectFrom('rounds')
    .select('id')
    .where('courier_id', '=', courier.id)
    .where('day', '=', day)
    .executeTakeFirst()
  const stops = existing
    ? await db
        .selectFrom('pickup_requests as r')
        .innerJoin('sites as s', 's.id', 'r.site_id')
        .select(['r.id', 's.lat', 's.lon'])
        .where('r.round_id', '=', existing.id)
        .where('r.state', 'in', OPEN_STATES)
        .orderBy('r.requested_at')
        .orderBy('r.id')
        .execute()
    : []
  const served =
    existing && day === today
      ? await db
          .selectFrom('pickup_requests as r')
          .innerJoin('sites as s', 's.id', 'r.site_id')
          .select(['s.lat', 's.lon'])
          .where('r.round_id', '=', existing.id)
          .where('r.state', 'in', ['collected', 'not_found'])
          .orderBy('r.updated_at', 'desc')
          .executeTakeFirst()
      : undefined
  const origin = served ?? depot
  const shiftStart = localTime(day, courier.shift_start_min, s.timeZone)
  const startAt = day === today ? Math.max(shiftStart, now) : shiftStart
  const speed = Number(courier.speed_mps)
  const plan =
    stops.length > 0
      ? planRoute({
          metric: 'haversine',
          depot: { id: `depot:${depot.id}`, lat: Number(origin.lat), lon: Number(origin.lon) },
          stops: stops.map((x) => ({ id: x.id, lat: Number(x.lat), lon: Number(x.lon) })),
          closed: true,
        })
      : undefined
  const etas = plan
    ? scheduleStops(plan, {
        startAt,
        speedMps: speed,
        serviceS: Number(courier.service_s),
        windowS: Number(courier.window_s),
      })
    : []
  const last = etas.at(-1)
  const endsAt =
    plan && last ? Math.round(last.departure + (plan.legs[etas.length]! / speed) * 1000) : startAt

  return writeTx(db, async (trx) => {
    const roundId = existing?.id ?? (await ensureRound(trx, c, day, now, s.timeZone))
    await trx
      .updateTable('rounds')
      .set((eb) => ({
        revision: eb('revision', '+', 1),
        depot_id: depot.id,
        starts_at: startAt,
        ends_at: endsAt,
        length_m: plan?.length ?? 0,
        planned_at: now,
      }))
      .where('id', '=', roundId)
      .execute()
    const { revision } = await trx
      .selectFrom('rounds')
      .select('revision')
      .where('id', '=', roundId)
      .executeTakeFirstOrThrow()
    await trx.deleteFrom('round_stops').where('round_id', '=', roundId).execute()
    // Read again under the lock: only what is still open on this round is written.
    const open = new Map(
      (
        await trx
          .selectFrom('pickup_requests')
          .selectAll()
          .where('round_id', '=', roundId)
          .where('state', 'in', OPEN_STATES)
          .execute()
      ).map((r) => [r.id, r] as const),
    )
    const changes: RequestChange[] = []
    let seq = 0
    for (const eta of etas) {
      const r = open.get(eta.id)
      if (r === undefined) continue
      const w = eta.etaWindow
      await trx
        .insertInto('round_stops')
        .values({
          round_id: roundId,
          request_id: r.id,
          seq: seq++,
          arrival: eta.arrival,
          window_from: w.from,
          window_to: w.to,
        })
        .execute()
      if (r.state === 'requested') {
        const after: PickupRequestsTable = {
          ...r,
          state: 'scheduled',
          window_from: w.from,
          window_to: w.to,
          updated_at: now,
        }
        await trx
          .updateTable('pickup_requests')
          .set({ state: 'scheduled', window_from: w.from, window_to: w.to, updated_at: now })
          .where('id', '=', r.id)
          .where('state', '=', 'requested')
          .execute()
        await recordTransition(
          trx,
          {
            request: after,
            from: 'requested',
            to: 'scheduled',
            at: now,
            by: 'system',
            reason: `round ${roundId} (revision ${revision})`,
            eventId: null,
          },
          { webhook: s.webhook },
        )
        changes.push({
          request: after,
          from: 'requested',
          transition: true,
          courierId: courier.id,
          notify: true,
        })
      } else if (windowMoved(r, w)) {
        // The state did not change: `updated_at` (the button's "since") stays.
        const after: PickupRequestsTable = { ...r, window_from: w.from, window_to: w.to }
        await trx
          .updateTable('pickup_requests')
          .set({ window_from: w.from, window_to: w.to })
          .where('id', '=', r.id)
          .where('state', 'in', OPEN_STATES)
          .execute()
        changes.push({ request: after, from: null, transition: false, courierId: courier.id, notify: true })
      }
    }
    return { roundId, revision, stops: seq, lengthM: plan?.length ?? 0, changes }
  })
}

/**
 * Moved by more than the slack at either end, against the window the button was last told. A smaller
 * drift is not stored either, so drifts a minute at a time add up until they are worth telling.
 */
function windowMoved(r: PickupRequestsTable, w: { from: number; to: number }): boolean {
  if (r.window_from === null || r.window_to === null) return true
  return (
    Math.abs(Number(r.window_from) - w.from) > WINDOW_SLACK_MS ||
    Math.abs(Number(r.window_to) - w.to) > WINDOW_SLACK_MS
  )
}
