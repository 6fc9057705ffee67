// Plays patterns on one light (and an optional on/off buzzer): a looping display, and transient signals
// over it that hand the light back to the display when done. Used by the pickup button, whose light is
// driven by its own driver (johnny-five Led on the linux or Firmata IO, or the simulated one).
import type { Timers } from './johnny-five.js'
import type { Beep, LightColor, Pattern } from './patterns.js'

const realTimers: Timers = { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }

export interface LightOutput {
  light(color: LightColor): void
  /** An active buzzer: on or off. Absent when none is fitted. */
  buzz?(on: boolean): void
}

export class LightPlayer {
  private display?: Pattern
  private transient?: Pattern
  private lightTimer?: unknown
  private beepTimer?: unknown
  private buzzing = false

  constructor(
    private readonly out: LightOutput,
    private readonly onError: (err: unknown) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Sets the looping display (undefined: off). A transient playing keeps playing, then shows it. */
  setDisplay(p: Pattern | undefined, beep = false): void {
    this.display = p
    if (beep && p?.beep) this.playBeep(p.beep)
    if (this.transient === undefined) this.play(p, 0)
  }

  /** Plays `p` once over the display, then goes back to the display from its first step. */
  flash(p: Pattern): void {
    this.transient = p
    if (p.beep) this.playBeep(p.beep)
    this.play(p, 0)
  }

  stop(): void {
    this.display = this.transient = undefined
    this.clear(this.lightTimer)
    this.clear(this.beepTimer)
    this.lightTimer = this.beepTimer = undefined
    this.buzz(false)
    this.guard(() => this.out.light('off'))
  }

  private play(p: Pattern | undefined, i: number): void {
    this.clear(this.lightTimer)
    this.lightTimer = undefined
    if (p === undefined) {
      this.guard(() => this.out.light('off'))
      return
    }
    const count = p.persistent ? Number.POSITIVE_INFINITY : p.steps.length * p.repeat
    const step = p.steps[i % p.steps.length]
    if (i >= count || step === undefined) {
      this.transient = undefined
      this.play(this.display, 0)
      return
    }
    this.guard(() => this.out.light(step.color))
    // A steady display (one lit step, looping) needs no timer: nothing changes until told.
    if (p.persistent && p.steps.length === 1) return
    this.lightTimer = this.timers.setTimeout(() => this.play(p, i + 1), step.ms)
  }

  private playBeep(beeps: readonly Beep[], i = 0): void {
    if (i === 0) this.clear(this.beepTimer)
    const b = beeps[i]
    this.buzz((b?.hz ?? 0) > 0)
    this.beepTimer = b && this.timers.setTimeout(() => this.playBeep(beeps, i + 1), b.ms)
  }

  private buzz(on: boolean): void {
    if (!this.out.buzz || on === this.buzzing) return
    this.buzzing = on
    this.guard(() => this.out.buzz?.(on))
  }

  private clear(h: unknown): void {
    if (h !== undefined) this.timers.clearTimeout(h)
  }

  /** A light that cannot be written must never take the agent down. */
  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.onError(err)
    }
  }
}
