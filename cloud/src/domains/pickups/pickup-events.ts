// Committed changes of pickup requests (presses, plans, courier actions), for live pages: the courier's
// round and the customer's site page follow them over server-sent events.
import { EventEmitter } from 'node:events'
import type { PickupState } from '@relais/hardware'

export interface PickupChange {
  requestId: string
  siteId: string
  /** The courier whose round it is on, when it is on one. */
  courierId: string | null
  roundId: string | null
  state: PickupState
}

export class PickupEvents extends EventEmitter<{ change: [PickupChange] }> {
  constructor() {
    super()
    // Every open courier and site page listens.
    this.setMaxListeners(0)
  }
}
