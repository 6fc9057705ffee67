// Which round a request joins (issue 4): the round of its site's courier, else of the working courier
// whose depot is nearest the site (great-circle). Today's round if the courier can still reach the
// site before the shift ends, going straight there from the depot at the earliest of shift start and
// now; otherwise the next day's. Pure over its arguments: the service reads the rows.
import type { Selectable } from 'kysely'
import type { CouriersTable, DepotsTable, SitesTable } from '../../storage/schema.js'
import { localDay, localTime, nextDay } from './local-time.js'
import { haversine } from './route/index.js'

export type CourierRow = Selectable<CouriersTable>

export interface CourierAtDepot {
  courier: CourierRow
  depot: DepotsTable
}

type Place = Pick<SitesTable, 'lat' | 'lon' | 'courier_id'>

export function courierForSite(site: Place, working: readonly CourierAtDepot[]): CourierAtDepot | undefined {
  if (site.courier_id !== null) {
    const own = working.find((c) => c.courier.id === site.courier_id)
    // A retired courier's sites fall back to the nearest depot rather than waiting forever.
    if (own !== undefined) return own
  }
  let best: CourierAtDepot | undefined
  let bestM = Number.POSITIVE_INFINITY
  for (const c of working) {
    const m = haversine(site.lat, site.lon, c.depot.lat, c.depot.lon)
    // Ties (two couriers at one depot) go to the smaller id, so the choice never flips between runs.
    if (m < bestM || (m === bestM && best !== undefined && c.courier.id < best.courier.id)) {
      best = c
      bestM = m
    }
  }
  return best
}

/** The local day (YYYY-MM-DD) of the round a request at `site` joins, given the time now. */
export function dayFor(c: CourierAtDepot, site: Place, now: number, timeZone: string): string {
  const today = localDay(now, timeZone)
  const start = Math.max(localTime(today, c.courier.shift_start_min, timeZone), now)
  const end = localTime(today, c.courier.shift_end_min, timeZone)
  const driveMs = (haversine(c.depot.lat, c.depot.lon, site.lat, site.lon) / c.courier.speed_mps) * 1000
  return start + driveMs <= end ? today : nextDay(today)
}
