// A clock tests move by hand: advance() fires the timers that come due, in order, and waits for the
// promise each returns, so a feature's loop has finished its tick when advance() resolves.
import type { Clock, TimerHandle } from '../../src/lib/clock.js'

interface Pending {
  id: number
  at: number
  fn: () => void | Promise<void>
}

export class FakeClock implements Clock {
  private timers: Pending[] = []
  private nextId = 1

  constructor(private t = Date.UTC(2026, 5, 1, 10, 0, 0)) {}

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void | Promise<void>, ms: number): TimerHandle {
    const p = { id: this.nextId++, at: this.t + Math.max(0, ms), fn }
    this.timers.push(p)
    return { id: p.id }
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined || !('id' in handle) || typeof handle.id !== 'number') return
    const id = handle.id
    this.timers = this.timers.filter((p) => p.id !== id)
  }

  /** Moves time forward by `ms`, running every timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id)
      const next = this.timers[0]
      if (next === undefined || next.at > end) break
      this.timers.shift()
      this.t = Math.max(this.t, next.at)
      await next.fn()
    }
    this.t = end
  }

  /** Sets the time (forward only) and runs what came due. */
  async set(at: number): Promise<void> {
    await this.advance(Math.max(0, at - this.t))
  }
}
