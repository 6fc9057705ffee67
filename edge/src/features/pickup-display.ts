// What the button shows for its latest request, as a function of the clock: slow blinks until the
// courier's window opens, steady in the window, off some time after it closes; closed states for a
// while after they happened, then off. Pure, so a restart shows the same thing from the stored request,
// and the caller re-asks at `until`. Which ack/cmd may replace the stored request is here too.
import type { AckPickup } from '@relais/hardware'
import type { ButtonSignal } from '../feedback/button-patterns.js'

export interface DisplayOptions {
  /** The window display stays on this long after the window closed without news (ms). */
  afterWindowMs: number
  /** Closed states are shown this long after `since` (ms). */
  closedShowMs: number
  /** An open request with no news is shown this long at most (the cloud forgets after a day). */
  openShowMs?: number
}

export interface Display {
  signal: ButtonSignal | undefined
  /** When the display changes by itself (epoch ms); undefined: not until told. */
  until?: number
}

const DAY = 86_400_000

export function displayFor(p: AckPickup | undefined, now: number, o: DisplayOptions): Display {
  if (p === undefined) return { signal: undefined }
  const openUntil = p.since + (o.openShowMs ?? DAY)
  switch (p.state) {
    case 'requested':
      return now < openUntil ? { signal: 'requested', until: openUntil } : { signal: undefined }
    case 'scheduled': {
      const w = p.window
      if (w === undefined)
        return now < openUntil ? { signal: 'scheduled', until: openUntil } : { signal: undefined }
      if (now < w.from) return { signal: 'scheduled', until: w.from }
      const end = w.to + o.afterWindowMs
      return now < end ? { signal: 'in_window', until: end } : { signal: undefined }
    }
    default: {
      const end = p.since + o.closedShowMs
      return now < end ? { signal: p.state, until: end } : { signal: undefined }
    }
  }
}

/**
 * Whether `next` may replace the stored request. Messages can arrive out of order (an ack resent after
 * a `cmd/pickup`, a birth push crossing a press): an older state of the same request, or an older
 * request, is ignored. Equal `since` is accepted (the same news again shows the same thing).
 */
export function isNewer(next: AckPickup, stored: AckPickup | undefined): boolean {
  if (stored === undefined) return true
  // The same request: its states only move forward in time. Another request: the cloud keeps one open
  // request per button, so the one that changed last is the one to show.
  return next.since >= stored.since
}
