// What ingest's own SQLite connection last read or wrote of the lists, kept from batch to batch: items
// by list and code, and the names items are given (the catalogue's, the household's own), so a batch of
// scans reads from the database only what it has not met before. The items read was the writer's
// largest statement (3.4 µs an event at batches of 250, npm run bench:apply); the two name reads
// came next.
//
// Only for a connection nothing else writes through: the writer thread's. PRAGMA data_version moves
// when any other connection (the HTTP API's, a CLI command, another process) has committed since it was
// last read, and the cache then starts over; the connection's own commits do not move it, which is why
// a connection shared with anything else must not have a cache. A batch changes the cached items in
// place, so one that does not commit empties it (ScanHandler.aborted).
import { type Kysely, sql } from 'kysely'
import type { Database } from '../../storage/schema.js'
import type { ItemRow } from './scan-batch.js'

/** Past this many entries the cache starts over, rather than growing with every list. */
const MAX_ENTRIES = 200_000

export class ListCache {
  private version: number | undefined
  private readonly items = new Map<string, ItemRow>()
  /** By code: the catalogue's name, null when the code is not in it (or has no name). */
  readonly catalogue = new Map<string, string | null>()
  /** By `${household}\n${code}`: the household's own name for it, null when it has none. */
  readonly named = new Map<string, string | null>()

  /**
   * Forgets everything when another connection has committed since the last batch. Called inside the
   * batch's transaction, after writeTx took the write lock: no one can commit between this and the
   * batch's own reads.
   */
  async check(trx: Kysely<Database>): Promise<void> {
    const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(trx)
    const version = rows[0]?.data_version
    if (version !== this.version || this.size > MAX_ENTRIES) this.clear()
    this.version = version
  }

  item(listId: string, code: string): ItemRow | undefined {
    return this.items.get(`${listId}\n${code}`)
  }

  setItem(row: ItemRow): void {
    this.items.set(`${row.list_id}\n${row.code}`, row)
  }

  deleteItem(row: ItemRow): void {
    this.items.delete(`${row.list_id}\n${row.code}`)
  }

  clear(): void {
    this.items.clear()
    this.catalogue.clear()
    this.named.clear()
    this.version = undefined
  }

  get size(): number {
    return this.items.size + this.catalogue.size + this.named.size
  }
}
