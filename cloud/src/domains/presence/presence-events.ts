// Committed presence changes, for the zone staff's live page (server-sent events), and requests to push
// the readers' allow-lists again after a consent, beacon or placement change.
import { EventEmitter } from 'node:events'
import type { PresenceEffect } from './presence-handler.js'

/**
 * Stays the cloud closed itself, not a reader: a consent revoked or expired, a member erased. `member`
 * is absent when several may have gone (an expiry sweep): listeners re-read the zone.
 */
export interface PresenceClosed {
  zone: string
  member?: string
  at: number
  reason: 'revoked' | 'expired' | 'erased'
}

export class PresenceEvents extends EventEmitter<{ presence: [PresenceEffect]; closed: [PresenceClosed] }> {
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
