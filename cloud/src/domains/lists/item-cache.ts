// The list items ingest's own SQLite connection last read or wrote, kept from batch to batch, so a batch
// of scans reads from the database only the items it has not met before (the items read was the
// writer's largest statement: 3.4 µs an event at batches of 250, npm run bench:apply).
//
// Only for a connection nothing else writes through: the writer thread's. PRAGMA data_version moves
// when any other connection (the HTTP API's, a CLI command, another process) has committed since it was
// last read, and the cache then starts over; the connection's own commits do not move it, which is why
// a connection shared with anything else must not have a cache. A batch changes the cached rows in
// place, so one that does not commit empties it (ScanHandler.aborted).
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../storage/schema.js'
import type { ItemRow } from './scan-batch.js'

/** Past this many items the cache starts over, rather than growing with every list. */
const MAX_ITEMS = 100_000

export class ItemCache {
  private version: number | undefined
  private readonly rows = new Map<string, ItemRow>()

  /**
   * Forgets every item when another connection has committed since the last batch. Called inside the
   * batch's transaction, after writeTx took the write lock: no one can commit between this and the
   * batch's own reads.
   */
  async check(trx: Kysely<Database>): Promise<void> {
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(trx)
    const version = rows[0]?.data_version
    if (version !== this.version || this.rows.size > MAX_ITEMS) this.rows.clear()
    this.version = version
  }

  get(listId: string, code: string): ItemRow | undefined {
    return this.rows.get(`${listId}\n${code}`)
  }

  set(row: ItemRow): void {
    this.rows.set(`${row.list_id}\n${row.code}`, row)
  }

  delete(row: ItemRow): void {
    this.rows.delete(`${row.list_id}\n${row.code}`)
  }

  clear(): void {
    this.rows.clear()
    this.version = undefined
  }

  get size(): number {
    return this.rows.size
  }
}
