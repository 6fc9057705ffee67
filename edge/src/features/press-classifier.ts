// Turns a button's raw down/up edges into the presses of the contract (hardware/src/kinds/button.ts):
// single = request, double = status, long = cancel. Pure: times come in as arguments, and the caller
// asks poll(now) at nextDeadline() for a single press that can only be told apart from the first half
// of a double once the gap has passed. A long press is never also a single (or half of a double).
import type { PressEvent } from '@relais/hardware'

export interface ClassifierOptions {
  /** A second press down this soon (ms) after the first release makes a double press. */
  doubleGapMs: number
  /** Held at least this long (ms) is a long press. */
  longMs: number
}

export class PressClassifier {
  /** When the button went down, while it is down. */
  private downAt?: number
  /** A short press released at this time, waiting to see whether a second one follows. */
  private firstUpAt?: number
  /** The press now down is the second half of a double. */
  private second = false

  constructor(private readonly o: ClassifierOptions) {}

  get isDown(): boolean {
    return this.downAt !== undefined
  }

  /** The button went down at `at`; returns a single press that this down proves was not a double. */
  down(at: number): PressEvent[] {
    if (this.downAt !== undefined) return [] // a repeated down (no up seen): one press
    const out = this.poll(at)
    this.downAt = at
    this.second = this.firstUpAt !== undefined
    return out
  }

  /** The button came up at `at`; returns the presses this completes. */
  up(at: number): PressEvent[] {
    const downAt = this.downAt
    if (downAt === undefined) return [] // an up without a down (started held, or a bounce)
    this.downAt = undefined
    const held = Math.max(0, at - downAt)
    const second = this.second
    this.second = false
    if (held >= this.o.longMs) {
      // A long press after a short one: the short one stands alone.
      const out: PressEvent[] = second ? [{ press: 'single' }] : []
      this.firstUpAt = undefined
      out.push({ press: 'long', heldMs: Math.min(Math.round(held), 600_000) })
      return out
    }
    if (second) {
      this.firstUpAt = undefined
      return [{ press: 'double' }]
    }
    this.firstUpAt = at
    return []
  }

  /** When poll() may have something to say (ms), or undefined when nothing is pending. */
  nextDeadline(): number | undefined {
    if (this.firstUpAt === undefined || this.downAt !== undefined) return undefined
    return this.firstUpAt + this.o.doubleGapMs
  }

  /** The single press whose gap has run out by `now`, if any. */
  poll(now: number): PressEvent[] {
    const due = this.nextDeadline()
    if (due === undefined || now <= due) return []
    this.firstUpAt = undefined
    return [{ press: 'single' }]
  }
}
