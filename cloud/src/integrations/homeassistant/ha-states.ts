// The state payloads the bridge publishes for Home Assistant, as plain JSON a `value_json.<field>` template
// reads. Times are ISO 8601 (HA's timestamp sensors parse them); a zone carries a count, never who.
import type { AckItem, AckPickup } from '@relais/hardware'

export interface LastScanState {
  /** What HA shows: the product's name, or the code when the catalogue does not know it. */
  product: string
  name: string | null
  code: string
  /** The list's outcome: added, incremented, unknown_product, removed. */
  outcome: string
  /** When it was scanned, at the scanner. */
  at: string
}

export interface PickupState {
  /** requested, scheduled, collected, ... or none when the button has no request worth showing. */
  state: string
  request: string | null
  since: string | null
  window_from: string | null
  window_to: string | null
}

export interface ZonePresenceState {
  count: number
  /** ON/OFF, the binary sensor's default payloads. */
  occupied: 'ON' | 'OFF'
}

const iso = (ms: number) => new Date(ms).toISOString()

export function lastScanState(code: string, outcome: string, ts: number, item?: AckItem): LastScanState {
  const name = item?.name ?? null
  return { product: name ?? code, name, code, outcome, at: iso(ts) }
}

export function pickupState(p: AckPickup | undefined): PickupState {
  if (p === undefined)
    return { state: 'none', request: null, since: null, window_from: null, window_to: null }
  return {
    state: p.state,
    request: p.id,
    since: iso(p.since),
    window_from: p.window === undefined ? null : iso(p.window.from),
    window_to: p.window === undefined ? null : iso(p.window.to),
  }
}

export function zonePresenceState(count: number): ZonePresenceState {
  return { count, occupied: count > 0 ? 'ON' : 'OFF' }
}
