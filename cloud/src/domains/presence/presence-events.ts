// Committed presence changes, for the zone staff's live page (server-sent events), and requests to push
// the readers' allow-lists again after a consent, beacon or placement change.
import { EventEmitter } from 'node:events'
import type { PresenceEffect } from './presence-handler.js'

export class PresenceEvents extends EventEmitter<{ presence: [PresenceEffect] }> {
  constructor() {
    super()
    // Every open staff page listens.
    this.setMaxListeners(0)
  }
}

/** Runs a committed enter or leave's effect on the main thread: live pages hear of it. */
export function presenceEffect(events: PresenceEvents): (effect: unknown) => void {
  return (effect) => events.emit('presence', effect as PresenceEffect)
}
