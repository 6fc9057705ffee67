// The embedded equivalent of the InfluxDB continuous query (influx-downsample.ts): a job that rolls raw
// `health` points into 5-minute means in `health_5m`, then deletes raw health past its retention and
// roll-ups past theirs. Idempotent: each window's roll-up and the watermark saying it is done commit in
// one transaction, so a second run or a crash mid-way never counts a point twice.
import type SQLite from 'better-sqlite3'
import type { Logger } from '../lib/logger.js'
import type { FieldValue } from './point.js'

export const BUCKET_MS = 300_000
// One transaction per half hour of raw points: a long catch-up never holds the write lock (and the
// broker's thread: better-sqlite3 is synchronous) for long; the job yields between windows.
const WINDOW_MS = 1_800_000

export interface HealthRollupOptions {
  db: SQLite.Database
  log: Logger
  /** Raw health older than this is deleted (only once rolled up); 0 keeps it. */
  rawRetentionMs: number
  /** Roll-ups older than this are deleted; 0 keeps them. */
  rolledRetentionMs: number
  /** A bucket is rolled up once it ended this long ago (late reports still land); default 10 min. */
  settleMs?: number
  /** Between runs (and one at start); default 5 min. */
  intervalMs?: number
  now?: () => number
}

export class HealthRollup {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true
  private readonly now: () => number
  private readonly log: Logger

  constructor(private readonly o: HealthRollupOptions) {
    this.now = o.now ?? Date.now
    this.log = o.log.child({ module: 'timeseries-rollup' })
    o.db.exec(`CREATE TABLE IF NOT EXISTS rollup_state (
      name TEXT PRIMARY KEY, done_until INTEGER NOT NULL) STRICT`)
  }

  start(): void {
    this.stopped = false
    this.tick()
  }

  /** Waits for a run in progress, so the sink closes its database only after the last transaction. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
  }

  /** One run; catches everything and reschedules, like every loop that runs forever. */
  private tick(): void {
    this.running = this.runOnce()
      .catch((err) => {
        this.log.error({ err }, 'health roll-up failed; retried at the next interval')
        return 0
      })
      .then(() => {
        if (this.stopped) return
        this.timer = setTimeout(() => this.tick(), this.o.intervalMs ?? BUCKET_MS)
        this.timer.unref()
      })
  }

  /** Rolls up every settled bucket not done yet, then applies both retentions. Returns points written. */
  async runOnce(): Promise<number> {
    const now = this.now()
    const until = Math.floor((now - (this.o.settleMs ?? 600_000)) / BUCKET_MS) * BUCKET_MS
    let written = 0
    for (;;) {
      const n = this.rollNext(until)
      if (n === undefined) break
      written += n
      await new Promise((r) => setImmediate(r))
    }
    // Raw health goes only once rolled up: a roll-up that lagged (the cloud was down) still finds it.
    const rolledUntil = this.doneUntil()
    if (this.o.rawRetentionMs > 0)
      this.deleteBefore('health', Math.min(now - this.o.rawRetentionMs, rolledUntil))
    if (this.o.rolledRetentionMs > 0) this.deleteBefore('health_5m', now - this.o.rolledRetentionMs)
    return written
  }

  private doneUntil(): number {
    const row = this.o.db.prepare("SELECT done_until FROM rollup_state WHERE name = 'health'").get() as
      | { done_until: number }
      | undefined
    if (row !== undefined) return row.done_until
    const first = this.o.db
      .prepare("SELECT min(ts) AS ts FROM points WHERE measurement = 'health'")
      .get() as { ts: number | null }
    return first.ts === null ? Number.MAX_SAFE_INTEGER : Math.floor(first.ts / BUCKET_MS) * BUCKET_MS
  }

  /**
   * The next window after the watermark, up to `until`, in one transaction with the watermark's move;
   * undefined when none is left. The watermark is read inside the transaction, so two runs at once (a
   * run on demand beside the timer's, across their yields) never roll the same window.
   */
  private rollNext(until: number): number | undefined {
    const db = this.o.db
    return db.transaction(() => {
      const from = this.doneUntil()
      if (from >= until) return undefined
      const to = Math.min(until, from + WINDOW_MS)
      // Per bucket, exact tag set (one agent's) and numeric field. The mean is kept exact, integer
      // fields included: this store has no field types, and InfluxDB's mean() gives floats too.
      const rows = db
        .prepare(
          `SELECT (p.ts / ${BUCKET_MS}) * ${BUCKET_MS} AS bucket, p.tags AS tags, j.key AS field,
             avg(j.value) AS mean
           FROM points p, json_each(p.fields) j
           WHERE p.measurement = 'health' AND p.ts >= ? AND p.ts < ? AND j.type IN ('integer', 'real')
           GROUP BY bucket, p.tags, j.key`,
        )
        .all(from, to) as Array<{ bucket: number; tags: string; field: string; mean: number }>
      const points = new Map<string, { ts: number; tags: string; fields: Record<string, FieldValue> }>()
      for (const r of rows) {
        const key = `${r.bucket} ${r.tags}`
        const p = points.get(key) ?? { ts: r.bucket, tags: r.tags, fields: {} }
        points.set(key, p)
        p.fields[r.field] = r.mean
      }
      const insert = db.prepare(
        "INSERT INTO points (measurement, ts, tags, fields) VALUES ('health_5m', ?, ?, ?)",
      )
      for (const p of points.values()) insert.run(p.ts, p.tags, JSON.stringify(p.fields))
      db.prepare(
        `INSERT INTO rollup_state (name, done_until) VALUES ('health', ?)
         ON CONFLICT (name) DO UPDATE SET done_until = excluded.done_until`,
      ).run(to)
      return points.size
    })()
  }

  private deleteBefore(measurement: string, before: number): void {
    this.o.db.prepare('DELETE FROM points WHERE measurement = ? AND ts < ?').run(measurement, before)
  }
}
