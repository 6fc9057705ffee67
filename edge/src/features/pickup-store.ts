// The latest request each button knows of, kept in the agent's own SQLite file (beside the outbox table,
// through a second connection: WAL lets both write), so a restarted agent shows the same thing at once,
// before the broker answers. One row per button device.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type AckPickup, AckPickupSchema } from '@relais/hardware'
import { Value } from '@sinclair/typebox/value'
import Database from 'better-sqlite3'

export class PickupStore {
  private readonly db: Database.Database
  private readonly stmts

  /** `dataDir` as the outbox's: a folder for outbox.db, or ':memory:'. */
  constructor(dataDir: string) {
    let path = ':memory:'
    if (dataDir !== ':memory:') {
      mkdirSync(dataDir, { recursive: true })
      path = join(dataDir, 'outbox.db')
    }
    this.db = new Database(path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    // The outbox may hold its write lock for a moment (a batch of acks): wait rather than fail.
    this.db.pragma('busy_timeout = 2000')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS button_pickup (
        device TEXT PRIMARY KEY,
        pickup TEXT NOT NULL,
        stored_at INTEGER NOT NULL
      )
    `)
    this.stmts = {
      get: this.db.prepare('SELECT pickup FROM button_pickup WHERE device = ?'),
      put: this.db.prepare(
        `INSERT INTO button_pickup (device, pickup, stored_at) VALUES (?, ?, ?)
         ON CONFLICT (device) DO UPDATE SET pickup = excluded.pickup, stored_at = excluded.stored_at`,
      ),
      clear: this.db.prepare('DELETE FROM button_pickup WHERE device = ?'),
    }
  }

  /** The stored request; a row that no longer fits the contract (an older agent wrote it) is none. */
  get(device: string): AckPickup | undefined {
    const row = this.stmts.get.get(device) as { pickup: string } | undefined
    if (row === undefined) return undefined
    try {
      const p: unknown = JSON.parse(row.pickup)
      return Value.Check(AckPickupSchema, p) ? p : undefined
    } catch {
      return undefined
    }
  }

  put(device: string, pickup: AckPickup, now = Date.now()): void {
    this.stmts.put.run(device, JSON.stringify(pickup), now)
  }

  clear(device: string): void {
    this.stmts.clear.run(device)
  }

  close(): void {
    this.db.close()
  }
}
