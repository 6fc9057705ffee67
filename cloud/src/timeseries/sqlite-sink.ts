// The embedded time series, for when no InfluxDB is configured (`npm start` needs nothing installed). Its
// own file and connection, so metric batches never take the write lock of the relational store.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import type { Logger } from '../lib/logger.js'
import type { Point } from './point.js'
import {
  checkDelete,
  checkQuery,
  type SeriesDelete,
  type SeriesQuery,
  type SeriesRow,
  type SeriesSink,
} from './sink.js'
import { buildSqliteQuery } from './sqlite-query.js'
import { HealthRollup, type HealthRollupOptions } from './sqlite-rollup.js'

export interface SqliteSinkOptions {
  /** The folder for timeseries.db, or ':memory:'. */
  dataDir: string
  fileName?: string
  log: Logger
  /** Points older than this are pruned; default 90 days. */
  retentionMs?: number
  /** How often the pruning runs (and once at start); default hourly. */
  pruneIntervalMs?: number
  /**
   * Health history (sqlite-rollup.ts): 5-minute means in `health_5m`, raw health kept `rawRetentionMs`
   * and the means `rolledRetentionMs` (0: kept), each instead of retentionMs. Off when absent.
   */
  healthRollup?: Omit<HealthRollupOptions, 'db' | 'log'>
}

export const DAY_MS = 86_400_000
const PRUNE_CHUNK = 10_000

const WRITE_CHUNK = 250
/**
 * Rows per INSERT statement. A point per event is written on the broker's thread, and each statement
 * run costs a crossing into SQLite and back: 50 rows a statement took 2.0 µs a point against 3.3 µs
 * one row at a time (measured with bench-like points).
 */
const ROWS_PER_INSERT = 50
const ROW = '(?, ?, ?, ?)'

export class SqliteSink implements SeriesSink {
  readonly name = 'sqlite'
  private db: SQLite.Database | undefined
  private insert: SQLite.Statement | undefined
  private insertMany: SQLite.Statement | undefined
  private pruneTimer: NodeJS.Timeout | undefined
  private rollup: HealthRollup | undefined
  private readonly log: Logger

  constructor(private readonly opts: SqliteSinkOptions) {
    this.log = opts.log.child({ module: 'timeseries-sqlite' })
  }

  async start(): Promise<void> {
    if (this.db !== undefined) return
    let file = ':memory:'
    if (this.opts.dataDir !== ':memory:') {
      mkdirSync(this.opts.dataDir, { recursive: true })
      file = join(this.opts.dataDir, this.opts.fileName ?? 'timeseries.db')
    }
    const db = new SQLite(file)
    db.pragma('journal_mode = WAL')
    // Metrics, not deliveries: losing the last second of points in a power cut is acceptable, an fsync
    // per batch is not worth it.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
    db.exec(`
      CREATE TABLE IF NOT EXISTS points (
        measurement TEXT NOT NULL,
        ts INTEGER NOT NULL,
        tags TEXT NOT NULL,
        fields TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS points_measurement_ts ON points (measurement, ts);
      -- Every read names its measurement, and pruning goes measurement by measurement: an index on ts
      -- alone (made by earlier versions) only cost every insert, one point per event, a third B-tree.
      DROP INDEX IF EXISTS points_ts;
    `)
    this.db = db
    this.insert = db.prepare(`INSERT INTO points (measurement, ts, tags, fields) VALUES ${ROW}`)
    this.insertMany = db.prepare(
      `INSERT INTO points (measurement, ts, tags, fields) VALUES ${Array(ROWS_PER_INSERT).fill(ROW).join(', ')}`,
    )
    this.log.info({ file }, 'time series stored in SQLite')
    const retentionMs = this.opts.retentionMs ?? 90 * DAY_MS
    const prune = () => {
      try {
        const removed = this.prune(Date.now() - retentionMs)
        if (removed > 0) this.log.info({ removed, retentionMs }, 'old time-series points pruned')
      } catch (err) {
        this.log.error({ err }, 'time-series pruning failed; retried at the next interval')
      }
    }
    if (this.opts.healthRollup !== undefined) {
      this.rollup = new HealthRollup({ ...this.opts.healthRollup, db, log: this.opts.log })
      this.rollup.start()
    }
    prune()
    this.pruneTimer = setInterval(prune, this.opts.pruneIntervalMs ?? 3_600_000)
    this.pruneTimer.unref()
  }

  async write(points: readonly Point[]): Promise<void> {
    const db = this.open()
    const insert = this.insert!
    // better-sqlite3 is synchronous and this runs on the broker's thread: a few hundred rows per
    // transaction, yielding between them, so a flush of thousands never holds MQTT traffic for long
    // (synchronous=NORMAL in WAL: these commits do not fsync, so small ones cost little).
    const insertMany = this.insertMany!
    const args: Array<string | number> = new Array(ROWS_PER_INSERT * 4)
    const write = db.transaction((part: readonly Point[]) => {
      let i = 0
      for (; i + ROWS_PER_INSERT <= part.length; i += ROWS_PER_INSERT) {
        for (let j = 0; j < ROWS_PER_INSERT; j++) {
          const p = part[i + j]!
          args[j * 4] = p.measurement
          args[j * 4 + 1] = p.ts
          args[j * 4 + 2] = JSON.stringify(p.tags)
          args[j * 4 + 3] = JSON.stringify(p.fields)
        }
        insertMany.run(args)
      }
      for (const p of part.slice(i))
        insert.run(p.measurement, p.ts, JSON.stringify(p.tags), JSON.stringify(p.fields))
    })
    for (let i = 0; i < points.length; i += WRITE_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r))
      write(points.slice(i, i + WRITE_CHUNK))
    }
  }

  async query(q: SeriesQuery): Promise<SeriesRow[]> {
    const { sql, params, toRow } = buildSqliteQuery(checkQuery(q))
    const rows = this.open()
      .prepare(sql)
      .all(...params) as Array<Record<string, unknown>>
    return rows.map(toRow)
  }

  /**
   * Deletes the points with ts < beforeMs (epoch ms), in chunks so writers wait at most one chunk. With
   * the health roll-up on, raw health and its means have retentions of their own (the roll-up applies
   * them, raw health only once rolled up).
   */
  prune(beforeMs: number): number {
    const db = this.open()
    // The measurements present, one index seek each (a DISTINCT would read the whole index).
    const measurements = db
      .prepare(
        `WITH RECURSIVE m(name) AS (
           SELECT min(measurement) FROM points
           UNION ALL SELECT (SELECT min(measurement) FROM points WHERE measurement > m.name) FROM m
           WHERE m.name IS NOT NULL)
         SELECT name FROM m WHERE name IS NOT NULL`,
      )
      .pluck()
      .all() as string[]
    const del = db.prepare(
      `DELETE FROM points WHERE rowid IN (
         SELECT rowid FROM points WHERE measurement = ? AND ts < ? LIMIT ?)`,
    )
    // With no roll-up, health_5m points (left by an earlier run with it) age out like any other.
    const keep = new Set(this.rollup === undefined ? [] : ['health', 'health_5m'])
    let total = 0
    for (const measurement of measurements) {
      if (keep.has(measurement)) continue
      for (;;) {
        const { changes } = del.run(measurement, beforeMs, PRUNE_CHUNK)
        total += changes
        if (changes < PRUNE_CHUNK) break
      }
    }
    return total
  }

  /** Deletes matching points in chunks, like prune(); tags are matched with json_extract. */
  async deleteWhere(d: SeriesDelete): Promise<void> {
    const { measurements, where, before } = checkDelete(d)
    const conds = [`measurement IN (${measurements.map(() => '?').join(', ')})`]
    const params: Array<string | number> = [...measurements]
    for (const [k, v] of Object.entries(where)) {
      conds.push('json_extract(tags, ?) = ?')
      params.push(`$."${k}"`, v)
    }
    if (before !== undefined) {
      conds.push('ts < ?')
      params.push(before)
    }
    const del = this.open().prepare(
      `DELETE FROM points WHERE rowid IN (SELECT rowid FROM points WHERE ${conds.join(' AND ')} LIMIT ?)`,
    )
    for (;;) {
      const { changes } = del.run(...params, PRUNE_CHUNK)
      if (changes < PRUNE_CHUNK) return
      await new Promise((r) => setImmediate(r))
    }
  }

  /** Synchronous unless a roll-up runs: then the database closes after its transaction in progress. */
  stop(): Promise<void> | void {
    clearInterval(this.pruneTimer)
    const rollup = this.rollup
    this.rollup = undefined
    if (rollup !== undefined) return rollup.stop().then(() => this.close())
    this.close()
  }

  /** The roll-up job, for tests and a run on demand; undefined when off or not started. */
  get healthRollup(): HealthRollup | undefined {
    return this.rollup
  }

  private close(): void {
    this.db?.close()
    this.db = undefined
    this.insert = undefined
    this.insertMany = undefined
  }

  private open(): SQLite.Database {
    if (this.db === undefined) throw new Error('SQLite time-series sink is not started')
    return this.db
  }
}
