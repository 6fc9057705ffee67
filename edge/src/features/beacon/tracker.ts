// Presence per allowed beacon, pure and clock-injected (every call takes the time), so scripted walks
// test it without timers. RSSI is smoothed (kalman.ts); enter and leave use hysteresis so a beacon at the
// edge of range does not flap (contract, hardware/src/kinds/beacon.ts: "present above enterRssi, gone
// below leaveRssi"):
//   absent -> present: smoothed >= enterRssi for minEnterSamples readings in a row spanning >= minEnterMs
//   present -> absent: smoothed < leaveRssi for minLeaveSamples readings in a row ('weak'),
//                      or unseen for leaveTimeoutMs ('timeout', found by tick())
// Only keys the caller has checked against the allow-list come here; forget() drops one without a trace.
import { distanceM, type KalmanOptions, type KalmanState, kalmanInit, kalmanUpdate } from './kalman.js'

export interface TrackerOptions {
  enterRssi: number
  leaveRssi: number
  leaveTimeoutMs: number
  minEnterSamples: number
  minEnterMs: number
  minLeaveSamples: number
  kalman: KalmanOptions
  /** Per-reader calibration: path-loss exponent n and an offset (dB) added to the beacon's 1 m power. */
  calibration: { pathLoss: number; offsetDb: number }
}

export type TrackerEvent =
  | { type: 'enter'; key: string; rssi: number; distanceM?: number; at: number }
  | { type: 'leave'; key: string; enteredAt: number; at: number; reason: 'weak' | 'timeout' }

interface Track {
  k: KalmanState
  lastSeen: number
  /** Expected RSSI at 1 m from the beacon's frame, when it carries one. */
  measured?: number
  present: boolean
  enteredAt: number
  /** The last time the smoothed level was at or above leaveRssi while present ('at' of a leave). */
  lastStrong: number
  above: number
  aboveSince: number
  below: number
}

const round1 = (x: number) => Math.round(x * 10) / 10

export class PresenceTracker {
  private readonly tracks = new Map<string, Track>()

  constructor(private o: TrackerOptions) {}

  /** Thresholds may change with a config push; smoothing state is kept. */
  setOptions(o: Partial<TrackerOptions>): void {
    this.o = { ...this.o, ...o }
  }

  get options(): Readonly<TrackerOptions> {
    return this.o
  }

  /** Beacons with state (present or approaching). */
  get tracked(): number {
    return this.tracks.size
  }

  get present(): number {
    let n = 0
    for (const t of this.tracks.values()) if (t.present) n++
    return n
  }

  isPresent(key: string): boolean {
    return this.tracks.get(key)?.present === true
  }

  /** The smoothed RSSI of `key`, for tests and debugging. */
  smoothed(key: string): number | undefined {
    return this.tracks.get(key)?.k.x
  }

  /** One reading of an allowed beacon; returns its enter or leave when this reading causes one. */
  observe(key: string, rssi: number, at: number, measured?: number): TrackerEvent | undefined {
    const o = this.o
    let t = this.tracks.get(key)
    if (t === undefined) {
      t = {
        k: kalmanInit(rssi, at, o.kalman),
        lastSeen: at,
        measured,
        present: false,
        enteredAt: 0,
        lastStrong: at,
        above: 0,
        aboveSince: at,
        below: 0,
      }
      this.tracks.set(key, t)
    } else {
      // A reading older than the last (replays, clock steps) updates nothing but the sighting.
      if (at < t.lastSeen) return undefined
      kalmanUpdate(t.k, rssi, at, o.kalman)
      t.lastSeen = at
      if (measured !== undefined) t.measured = measured
    }
    const x = t.k.x
    if (!t.present) {
      if (x >= o.enterRssi) {
        if (t.above === 0) t.aboveSince = at
        t.above++
        if (t.above >= o.minEnterSamples && at - t.aboveSince >= o.minEnterMs) {
          t.present = true
          t.enteredAt = at
          t.lastStrong = at
          t.below = 0
          const e: TrackerEvent = { type: 'enter', key, rssi: round1(Math.max(-127, Math.min(20, x))), at }
          if (t.measured !== undefined)
            e.distanceM = distanceM(t.measured + o.calibration.offsetDb, x, o.calibration.pathLoss)
          return e
        }
      } else t.above = 0
      return undefined
    }
    if (x >= o.leaveRssi) {
      t.below = 0
      t.lastStrong = at
      return undefined
    }
    t.below++
    if (t.below < o.minLeaveSamples) return undefined
    return this.leave(key, t, 'weak')
  }

  /**
   * Leaves by timeout as of `now`, and forgets beacons that are neither present nor seen for the timeout
   * (memory stays bounded by what is around).
   */
  tick(now: number): TrackerEvent[] {
    const out: TrackerEvent[] = []
    for (const [key, t] of this.tracks) {
      if (now - t.lastSeen < this.o.leaveTimeoutMs) continue
      if (t.present) out.push(this.leave(key, t, 'timeout'))
      this.tracks.delete(key)
    }
    return out
  }

  /** Drops `key` at once, without a leave (revocation: nothing more about it leaves the reader). */
  forget(key: string): boolean {
    return this.tracks.delete(key)
  }

  /** Drops every beacon without a leave. */
  clear(): void {
    this.tracks.clear()
  }

  keys(): IterableIterator<string> {
    return this.tracks.keys()
  }

  private leave(key: string, t: Track, reason: 'weak' | 'timeout'): TrackerEvent {
    t.present = false
    t.above = 0
    t.below = 0
    // Contract: `at` is the last time it was seen present: its last sighting for a timeout, the last
    // reading above leaveRssi when it faded.
    const at = reason === 'timeout' ? t.lastSeen : t.lastStrong
    return { type: 'leave', key, enteredAt: t.enteredAt, at, reason }
  }
}
