// Presence retention (DESIGN.md, "presence data has a retention limit"): sessions older than
// RELAIS_PRESENCE_RETENTION_DAYS are deleted with their time-series points, and a session left open
// longer than RELAIS_PRESENCE_MAX_OPEN_H (its reader died, or lost the beacon without a leave) is closed.
// A background loop: it catches everything and always reschedules.
import type { Feature } from '@relais/hardware'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import type { SeriesDelete } from '../../timeseries/sink.js'
import { PRESENCE_MEASUREMENTS } from './member-data.js'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

export interface RetentionOptions {
  db: Db
  log: Logger
  /** Deletes points from the time series; absent or failing, only the sessions go (and it is logged). */
  series?: { delete(d: SeriesDelete): Promise<void> }
  retentionDays: number
  maxOpenH: number
  /** Between runs; default hourly. */
  intervalMs?: number
  now?: () => number
}

export interface RetentionRun {
  closed: number
  deleted: number
  pointsDeleted: boolean
}

export class PresenceRetention implements Feature {
  readonly name = 'presence-retention'
  private readonly log: Logger
  private timer?: NodeJS.Timeout
  private current?: Promise<RetentionRun | undefined>
  private stopped = true

  constructor(private readonly o: RetentionOptions) {
    this.log = o.log.child({ module: 'presence-retention' })
  }

  start(): void {
    this.stopped = false
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.current
  }

  /** One pass; never throws (the error is logged and the next pass tries again). */
  async runOnce(): Promise<RetentionRun | undefined> {
    this.current = this.pass().catch((err) => {
      this.log.error({ err }, 'presence retention failed; retried at the next run')
      return undefined
    })
    return this.current
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(async () => {
      await this.runOnce()
      this.schedule(this.o.intervalMs ?? HOUR_MS)
    }, ms)
    this.timer.unref()
  }

  private async pass(): Promise<RetentionRun> {
    const now = (this.o.now ?? Date.now)()
    const staleBefore = now - this.o.maxOpenH * HOUR_MS
    const closed = await this.o.db
      .updateTable('presence_sessions')
      .set({ left_at: now, leave_reason: 'stale' })
      .where('left_at', 'is', null)
      .where('entered_at', '<', staleBefore)
      .executeTakeFirst()
    const cutoff = now - this.o.retentionDays * DAY_MS
    const deleted = await this.o.db
      .deleteFrom('presence_sessions')
      .where('left_at', 'is not', null)
      .where('left_at', '<', cutoff)
      .executeTakeFirst()
    let pointsDeleted = false
    try {
      await this.o.series?.delete({ measurements: PRESENCE_MEASUREMENTS, before: cutoff })
      pointsDeleted = this.o.series !== undefined
    } catch (err) {
      this.log.error({ err, cutoff }, 'old presence points not deleted; retried at the next run')
    }
    const run = {
      closed: Number(closed.numUpdatedRows),
      deleted: Number(deleted.numDeletedRows),
      pointsDeleted,
    }
    if (run.closed > 0 || run.deleted > 0) this.log.info({ ...run, cutoff }, 'presence retention applied')
    return run
  }
}
