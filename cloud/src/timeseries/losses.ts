// Every point the pipeline loses is counted, by reason, and reported in the log: never silent (DESIGN
// delivery rule 5). Counting happens on the hot path; the log lines come from the flush loop, one per
// reason per round, so a flood of drops never turns into a flood of log lines.
import type { Logger } from '../lib/logger.js'

export class Losses {
  /** Every point lost, whatever the reason. */
  dropped = 0
  /** The part of `dropped` that was invalid or that the store refused. */
  rejected = 0
  private overflowUnreported = 0
  private invalidUnreported = 0
  private lastInvalid = ''

  /** The buffer was full: its oldest waiting point made room. */
  overflow(): void {
    this.dropped++
    this.overflowUnreported++
  }

  /** A point that no store would take. */
  invalid(why: string): void {
    this.dropped++
    this.rejected++
    this.invalidUnreported++
    this.lastInvalid = why
  }

  /** Points the store refused (reported by the caller, with the store's error). */
  refused(n: number): void {
    this.dropped += n
    this.rejected += n
  }

  /** Points with no chance of being written: recorded after stop, or left at its deadline. */
  abandoned(n: number): void {
    this.dropped += n
  }

  report(log: Logger, bufferMax: number): void {
    if (this.overflowUnreported > 0) {
      log.warn(
        { dropped: this.overflowUnreported, bufferMax },
        'time-series buffer full: oldest points dropped',
      )
      this.overflowUnreported = 0
    }
    if (this.invalidUnreported > 0) {
      log.warn(
        { rejected: this.invalidUnreported, reason: this.lastInvalid },
        'invalid time-series points dropped',
      )
      this.invalidUnreported = 0
    }
  }
}
