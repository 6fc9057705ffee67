// The pickups API's own reads: lists for ops staff (sites, depots, couriers, pickups, buttons, the rounds
// of a day). The round service (PickupOps) owns every change and the views that need planning; these are
// plain Kysely selects shaped like domains/pickups/views.ts, so they can run beside it without it.
import type { Selectable } from 'kysely'
import type { AgentStateReader, DeviceView } from '../domains/fleet/agent-snapshot.js'
import { deviceViews, emptySnapshot } from '../domains/fleet/agent-snapshot.js'
import { pickupView, siteView } from '../domains/pickups/view-rows.js'
import type { DepotView, PickupView, SiteView } from '../domains/pickups/views.js'
import { notFound } from '../lib/errors.js'
import type { Db } from '../storage/db.js'
import type { CouriersTable, PickupRequestsTable } from '../storage/schema.js'

export async function listSites(db: Db): Promise<SiteView[]> {
  const rows = await db.selectFrom('sites').selectAll().orderBy('id', 'asc').execute()
  return rows.map((r) => siteView(r))
}

export async function getSite(db: Db, id: string): Promise<SiteView> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`site '${id}'`)
  return siteView(row)
}

export async function listDepots(db: Db): Promise<DepotView[]> {
  const rows = await db
    .selectFrom('depots')
    .select(['id', 'name', 'address', 'lat', 'lon'])
    .orderBy('id', 'asc')
    .execute()
  return rows.map((d) => ({ ...d, lat: Number(d.lat), lon: Number(d.lon) }))
}

export interface CourierView {
  id: string
  name: string
  depotId: string
  phone: string | null
  shiftStart: string
  shiftEnd: string
  speedKmh: number
  serviceS: number
  windowMin: number
  retired: boolean
}

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`

export function courierView(c: Selectable<CouriersTable>): CourierView {
  return {
    id: c.id,
    name: c.name,
    depotId: c.depot_id,
    phone: c.phone,
    shiftStart: hhmm(Number(c.shift_start_min)),
    shiftEnd: hhmm(Number(c.shift_end_min)),
    speedKmh: Math.round(Number(c.speed_mps) * 3.6 * 10) / 10,
    serviceS: Number(c.service_s),
    windowMin: Math.round(Number(c.window_s) / 60),
    retired: c.retired_at !== null,
  }
}

export async function listCouriers(db: Db): Promise<CourierView[]> {
  const rows = await db.selectFrom('couriers').selectAll().orderBy('id', 'asc').execute()
  return rows.map(courierView)
}

export async function getCourier(db: Db, id: string): Promise<CourierView> {
  const row = await db.selectFrom('couriers').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`courier '${id}'`)
  return courierView(row)
}

export interface PickupFilter {
  state?: PickupRequestsTable['state']
  site?: string
  limit: number
}

/** Newest first. */
export async function listPickups(db: Db, f: PickupFilter): Promise<PickupView[]> {
  let q = db.selectFrom('pickup_requests').selectAll()
  if (f.state !== undefined) q = q.where('state', '=', f.state)
  if (f.site !== undefined) q = q.where('site_id', '=', f.site)
  const rows = await q.orderBy('requested_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()
  return rows.map((r) => pickupView(r))
}

export interface ButtonAgent {
  agent: string
  site: string
  online: boolean
  since: number | null
  lastSeen: number | null
  version: string | null
  devices: DeviceView[]
  current: PickupView[]
}

/** Agents placed at sites (not revoked), with what the fleet knows of them and their open requests. */
export async function listButtons(db: Db, state: AgentStateReader | undefined): Promise<ButtonAgent[]> {
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'site_id'])
    .where('site_id', 'is not', null)
    .where('revoked_at', 'is', null)
    .orderBy('site_id', 'asc')
    .orderBy('id', 'asc')
    .execute()
  if (agents.length === 0) return []
  const open = await db
    .selectFrom('pickup_requests')
    .selectAll()
    .where('state', 'in', ['requested', 'scheduled'])
    .where(
      'agent_id',
      'in',
      agents.map((a) => a.id),
    )
    .orderBy('device_id', 'asc')
    .execute()
  return agents.map(({ id, site_id }) => {
    const s = state?.get(id) ?? emptySnapshot(id)
    return {
      agent: id,
      site: site_id!,
      online: s.online,
      since: s.since,
      lastSeen: s.lastSeen,
      version: s.info?.version ?? null,
      devices: deviceViews(s),
      current: open.filter((r) => r.agent_id === id).map((r) => pickupView(r)),
    }
  })
}

export interface SiteButton {
  agent: string
  device: string | null
  online: boolean
}

/**
 * The buttons of one site for its page: every device of its agents that is a button (by the kind the
 * agent announced) or that has made a request there. An agent the cloud has not heard from since it
 * started shows once, with a null device.
 */
export async function siteButtons(
  db: Db,
  state: AgentStateReader | undefined,
  siteId: string,
): Promise<SiteButton[]> {
  const agents = await db
    .selectFrom('agents')
    .select('id')
    .where('site_id', '=', siteId)
    .where('revoked_at', 'is', null)
    .orderBy('id', 'asc')
    .execute()
  if (agents.length === 0) return []
  const used = await db
    .selectFrom('pickup_requests')
    .select(['agent_id', 'device_id'])
    .distinct()
    .where('site_id', '=', siteId)
    .execute()
  const out: SiteButton[] = []
  for (const { id } of agents) {
    const s = state?.get(id) ?? emptySnapshot(id)
    const devices = new Set(
      deviceViews(s)
        .filter((d) => d.kind === 'button')
        .map((d) => d.id),
    )
    for (const u of used) if (u.agent_id === id) devices.add(u.device_id)
    if (devices.size === 0) out.push({ agent: id, device: null, online: s.online })
    for (const device of [...devices].sort()) out.push({ agent: id, device, online: s.online })
  }
  return out
}

export interface RoundSummary {
  courier: { id: string; name: string; depotId: string }
  round: {
    id: string
    startsAt: number
    endsAt: number
    lengthM: number
    revision: number
    plannedAt: number
  } | null
  open: number
  collected: number
  notFound: number
  closed: number
}

/** Every active courier's round of `day` as stored (nothing is planned here), and retired ones with one. */
export async function roundsOfDay(db: Db, day: string): Promise<RoundSummary[]> {
  const rows = await db
    .selectFrom('couriers as c')
    .leftJoin('rounds as r', (j) => j.onRef('r.courier_id', '=', 'c.id').on('r.day', '=', day))
    .select([
      'c.id as courierId',
      'c.name as courierName',
      'c.depot_id as depotId',
      'c.retired_at as retiredAt',
      'r.id as roundId',
      'r.starts_at as startsAt',
      'r.ends_at as endsAt',
      'r.length_m as lengthM',
      'r.revision as revision',
      'r.planned_at as plannedAt',
    ])
    .orderBy('c.id', 'asc')
    .execute()
  const roundIds = rows.flatMap((r) => (r.roundId === null ? [] : [r.roundId]))
  const counts =
    roundIds.length === 0
      ? []
      : await db
          .selectFrom('pickup_requests')
          .select((eb) => ['round_id', 'state', eb.fn.countAll<number>().as('n')])
          .where('round_id', 'in', roundIds)
          .groupBy(['round_id', 'state'])
          .execute()
  const count = (roundId: string | null, states: string[]) =>
    counts
      .filter((c) => c.round_id === roundId && states.includes(c.state))
      .reduce((sum, c) => sum + Number(c.n), 0)
  return rows
    .filter((r) => r.retiredAt === null || r.roundId !== null)
    .map((r) => ({
      courier: { id: r.courierId, name: r.courierName, depotId: r.depotId },
      round:
        r.roundId === null
          ? null
          : {
              id: r.roundId,
              startsAt: Number(r.startsAt),
              endsAt: Number(r.endsAt),
              lengthM: Number(r.lengthM),
              revision: Number(r.revision),
              plannedAt: Number(r.plannedAt),
            },
      open: count(r.roundId, ['requested', 'scheduled']),
      collected: count(r.roundId, ['collected']),
      notFound: count(r.roundId, ['not_found']),
      closed: count(r.roundId, ['cancelled', 'expired']),
    }))
}
