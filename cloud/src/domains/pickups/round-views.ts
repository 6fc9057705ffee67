// Reads behind the round service's views: a courier's round with its stops in visiting order and what
// was served, a site with its current request and history, one request with its transitions.
import { notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { OPEN_STATES } from './request-change.js'
import { mapUrl, pickupView, siteView, transitionsOf } from './view-rows.js'
import type { PickupView, RoundView, SitePickups, StopView } from './views.js'

export async function readRound(db: Db, courierId: string, day: string): Promise<RoundView | undefined> {
  const round = await db
    .selectFrom('rounds')
    .selectAll()
    .where('courier_id', '=', courierId)
    .where('day', '=', day)
    .executeTakeFirst()
  if (round === undefined) return undefined
  const depot = await db
    .selectFrom('depots')
    .selectAll()
    .where('id', '=', round.depot_id)
    .executeTakeFirstOrThrow()
  const stopRows = await db
    .selectFrom('round_stops as t')
    .innerJoin('pickup_requests as r', 'r.id', 't.request_id')
    .select(['t.seq', 't.arrival', 't.window_from as stop_from', 't.window_to as stop_to', 'r.id'])
    .where('t.round_id', '=', round.id)
    // A request a press closed since the last plan is no stop any more, even before the re-plan.
    .where('r.state', 'in', OPEN_STATES)
    .orderBy('t.seq')
    .execute()
  const requests = new Map(
    (await db.selectFrom('pickup_requests').selectAll().where('round_id', '=', round.id).execute()).map(
      (r) => [r.id, r] as const,
    ),
  )
  const siteIds = [...new Set([...requests.values()].map((r) => r.site_id))]
  const sites = new Map(
    siteIds.length === 0
      ? []
      : (await db.selectFrom('sites').selectAll().where('id', 'in', siteIds).execute()).map(
          (s) => [s.id, siteView(s)] as const,
        ),
  )
  const stops: StopView[] = stopRows.map((t) => {
    const r = requests.get(t.id)!
    const site = sites.get(r.site_id)!
    return {
      seq: Number(t.seq),
      arrival: Number(t.arrival),
      window: { from: Number(t.stop_from), to: Number(t.stop_to) },
      mapUrl: mapUrl(site.lat, site.lon),
      site,
      request: pickupView(r),
    }
  })
  const done = [...requests.values()]
    .filter((r) => r.state === 'collected' || r.state === 'not_found')
    .sort((a, b) => Number(a.updated_at) - Number(b.updated_at) || a.id.localeCompare(b.id))
    .map((r) => pickupView(r))
  return {
    id: round.id,
    courierId: round.courier_id,
    day: round.day,
    depot: {
      id: depot.id,
      name: depot.name,
      address: depot.address,
      lat: Number(depot.lat),
      lon: Number(depot.lon),
    },
    startsAt: Number(round.starts_at),
    endsAt: Number(round.ends_at),
    lengthM: Number(round.length_m),
    revision: Number(round.revision),
    plannedAt: Number(round.planned_at),
    stops,
    done,
  }
}

export async function readPickup(db: Db, requestId: string): Promise<PickupView> {
  const r = await db.selectFrom('pickup_requests').selectAll().where('id', '=', requestId).executeTakeFirst()
  if (r === undefined) throw notFound(`pickup request '${requestId}'`)
  return pickupView(r, (await transitionsOf(db, [r.id])).get(r.id))
}

export async function readSite(db: Db, siteId: string): Promise<SitePickups> {
  const s = await db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirst()
  if (s === undefined) throw notFound(`site '${siteId}'`)
  const rows = await db
    .selectFrom('pickup_requests')
    .selectAll()
    .where('site_id', '=', siteId)
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  const transitions = await transitionsOf(
    db,
    rows.map((r) => r.id),
  )
  const history = rows.map((r) => pickupView(r, transitions.get(r.id)))
  return {
    site: siteView(s),
    current: history.find((p) => p.state === 'requested' || p.state === 'scheduled') ?? null,
    history,
  }
}
