// A clock tests move by hand: timers run in due order as advance() passes them, so a replay or a walk
// of minutes runs at once, and no test depends on how fast the machine is.
import type { Clock } from '../../src/drivers/beacon/clock.js'

export class FakeClock implements Clock {
  private timers: Array<{ due: number; fn: () => void; id: number }> = []
  private ids = 0

  constructor(public t = 1_700_000_000_000) {}

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids
    this.timers.push({ due: this.t + Math.max(0, ms), fn, id })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle)
  }

  get pending(): number {
    return this.timers.length
  }

  /** Moves time forward by `ms`, running each timer at its due time. */
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      this.timers.sort((a, b) => a.due - b.due || a.id - b.id)
      const next = this.timers[0]
      if (next === undefined || next.due > end) break
      this.timers.shift()
      this.t = next.due
      next.fn()
    }
    this.t = end
  }
}
