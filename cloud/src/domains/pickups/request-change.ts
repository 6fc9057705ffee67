// What one committed change did to a request: the service tells the button, live pages and the time
// series from it, after the commit.
import type { PickupState } from '@relais/hardware'
import type { PickupRequestsTable } from '../../storage/schema.js'

export interface RequestChange {
  /** The request as committed. */
  request: PickupRequestsTable
  /** The state before, when the state changed (a transition was recorded). */
  from: PickupState | null
  transition: boolean
  courierId: string | null
  /** The button must hear of it: a state change outside a press, or a window moved by over a minute. */
  notify: boolean
}

/** A window moved by at most this much is not worth a message to the button (nor a new stored window). */
export const WINDOW_SLACK_MS = 60_000

export const OPEN_STATES: ReadonlyArray<PickupRequestsTable['state']> = ['requested', 'scheduled']
