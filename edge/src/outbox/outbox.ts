// The durable outbox (DESIGN.md, delivery rules 1-2): every event is written here, fsynced, before the
// user is told anything; it leaves only when the cloud's ack with its id arrives. SQLite in WAL mode
// with synchronous=FULL: a committed insert survives SIGKILL and power loss; a half-written one is
// rolled back by the journal at the next open, never seen half.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

export interface OutboxEntry {
  seq: number
  id: string
  topic: string
  payload: string
  createdAt: number
}

export interface OutboxOptions {
  /** A folder for outbox.db, or ':memory:' for tests. */
  dataDir: string
  /** Beyond this many entries the oldest are dropped, and counted. */
  maxEntries: number
}

export class Outbox {
  private readonly db: Database.Database
  private readonly stmts
  private count: number
  private droppedCount: number

  constructor(o: OutboxOptions) {
    this.maxEntries = o.maxEntries
    let path = ':memory:'
    if (o.dataDir !== ':memory:') {
      mkdirSync(o.dataDir, { recursive: true })
      path = join(o.dataDir, 'outbox.db')
    }
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (key, value) VALUES ('dropped', 0);
    `)
    this.stmts = {
      insert: this.db.prepare(
        'INSERT OR IGNORE INTO outbox (id, topic, payload, created_at) VALUES (?, ?, ?, ?)',
      ),
      pending: this.db.prepare(
        'SELECT seq, id, topic, payload, created_at AS createdAt FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      ack: this.db.prepare('DELETE FROM outbox WHERE id = ?'),
      dropOldest: this.db.prepare(
        'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)',
      ),
      addDropped: this.db.prepare("UPDATE meta SET value = value + ? WHERE key = 'dropped'"),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM outbox'),
      dropped: this.db.prepare("SELECT value FROM meta WHERE key = 'dropped'"),
    }
    this.count = (this.stmts.count.get() as { n: number }).n
    this.droppedCount = (this.stmts.dropped.get() as { value: number }).value
  }

  private readonly maxEntries: number

  /**
   * Stores an event; returns when it is on disk. The same id twice is stored once. When full, the
   * oldest entries give way (a fridge scanner offline for weeks keeps the newest scans) and the count
   * of dropped entries is kept, on disk too, for the health report.
   */
  add(id: string, topic: string, payload: string, now = Date.now()): { stored: boolean; dropped: number } {
    return this.db.transaction(() => {
      const r = this.stmts.insert.run(id, topic, payload, now)
      if (r.changes === 0) return { stored: false, dropped: 0 }
      this.count++
      let dropped = 0
      if (this.count > this.maxEntries) {
        dropped = this.count - this.maxEntries
        this.stmts.dropOldest.run(dropped)
        this.stmts.addDropped.run(dropped)
        this.count -= dropped
        this.droppedCount += dropped
      }
      return { stored: true, dropped }
    })()
  }

  /**
   * The oldest entries first, the order they must be sent in; `afterSeq` pages through a long backlog
   * (the beacon reader looks for a revoked beacon's events without loading them all at once).
   */
  pending(limit: number, afterSeq = 0): OutboxEntry[] {
    return this.stmts.pending.all(afterSeq, limit) as OutboxEntry[]
  }

  /**
   * Removes acked entries in one transaction (one fsync for many acks while a backlog drains). An ack
   * lost to a crash before this commits costs one resend, which the cloud answers as a replay.
   * Returns the ids that were there.
   */
  ack(ids: readonly string[]): string[] {
    return this.db.transaction(() => {
      const removed: string[] = []
      for (const id of ids) if (this.stmts.ack.run(id).changes > 0) removed.push(id)
      this.count -= removed.length
      return removed
    })()
  }

  get depth(): number {
    return this.count
  }

  get dropped(): number {
    return this.droppedCount
  }

  close(): void {
    this.db.close()
  }
}
