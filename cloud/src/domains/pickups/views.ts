// What the pickups domain shows to the HTTP API and its pages: plain data, times in epoch ms. The API's
// TypeBox schemas (http/) describe these same shapes; the round service produces them.
import type { PickupState } from '@relais/hardware'

export interface TransitionView {
  from: string | null
  to: string
  at: number
  by: string
  reason: string | null
}

export interface PickupView {
  id: string
  siteId: string
  agentId: string
  deviceId: string
  state: PickupState
  requestedAt: number
  updatedAt: number
  window: { from: number; to: number } | null
  /** Why it closed when it did not end collected, or the courier's note. */
  reason: string | null
  roundId: string | null
  transitions?: TransitionView[]
}

export interface SiteView {
  id: string
  name: string
  address: string
  lat: number
  lon: number
  notes: string | null
  contact: string | null
  courierId: string | null
}

export interface StopView {
  seq: number
  arrival: number
  window: { from: number; to: number }
  /** A map link for the courier's phone (OpenStreetMap). */
  mapUrl: string
  site: SiteView
  request: PickupView
}

export interface DepotView {
  id: string
  name: string
  address: string
  lat: number
  lon: number
}

export interface RoundView {
  id: string
  courierId: string
  /** Local calendar day (RELAIS_TZ), YYYY-MM-DD. */
  day: string
  depot: DepotView
  startsAt: number
  endsAt: number
  lengthM: number
  /** Bumped on every re-plan: a page holding an older revision is stale. */
  revision: number
  plannedAt: number
  /** Open stops in visiting order. */
  stops: StopView[]
  /** This round's requests collected or not found, in the order served. */
  done: PickupView[]
}

export interface SitePickups {
  site: SiteView
  /** The open request (requested or scheduled), if any. */
  current: PickupView | null
  /** Every request of the site, newest first, with its transitions. */
  history: PickupView[]
}

/** The pickups domain as the HTTP API uses it (implemented by RoundService). */
export interface PickupOps {
  collect(requestId: string, by: string, note?: string): Promise<PickupView>
  notFound(requestId: string, by: string, reason: string): Promise<PickupView>
  cancel(requestId: string, by: string, reason: string): Promise<PickupView>
  /** Plans the round if it has no row yet; day defaults to today (RELAIS_TZ). */
  roundOf(courierId: string, day?: string): Promise<RoundView>
  /** With transitions. */
  pickup(requestId: string): Promise<PickupView>
  siteView(siteId: string): Promise<SitePickups>
}
