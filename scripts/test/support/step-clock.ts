// A clock the test moves by hand (the edge's Clock interface, edge/src/drivers/beacon/clock.ts): a replay
// of ten minutes of advertisements runs in as many steps as the test takes, and nothing depends on how
// fast the machine is. It starts at the real time, so what it stamps is never older than what the cloud
// stored before (a consent granted just now covers every event), and only ever runs ahead of it.
import type { Clock } from '@relais/edge'

interface Timer {
  due: number
  seq: number
  fn: () => void
}

export class StepClock implements Clock {
  readonly start: number
  private t: number
  private seq = 0
  private readonly timers = new Map<number, Timer>()

  constructor(start = Date.now()) {
    this.start = start
    this.t = start
  }

  now(): number {
    return this.t
  }

  /** ms since the clock was made: the offset into a replay started with it. */
  get offset(): number {
    return this.t - this.start
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const seq = this.seq++
    this.timers.set(seq, { due: this.t + Math.max(0, ms), seq, fn })
    return seq
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle)
  }

  /** Moves `ms` forward, running every timer due on the way at its own time, earliest (then oldest) first. */
  advance(ms: number): void {
    const target = this.t + ms
    for (;;) {
      let next: Timer | undefined
      for (const x of this.timers.values())
        if (
          x.due <= target &&
          (next === undefined || x.due < next.due || (x.due === next.due && x.seq < next.seq))
        )
          next = x
      if (next === undefined) break
      this.timers.delete(next.seq)
      this.t = Math.max(this.t, next.due)
      next.fn()
    }
    this.t = target
  }
}
