// A transaction that takes SQLite's write lock with its first statement. A transaction that reads
// first and writes later fails at once with SQLITE_BUSY (no busy_timeout wait) when the ingest writer
// thread commits in between: its read snapshot is stale. Taking the lock first makes it wait its turn.
import { sql, type Transaction } from 'kysely'
import type { Db } from '../../storage/db.js'
import type { Database } from '../../storage/schema.js'

export type Trx = Transaction<Database>

export function writeTx<T>(db: Db, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // A write statement that matches no row still takes the lock (PostgreSQL: a harmless no-op).
    await sql`update rounds set revision = revision where 1 = 0`.execute(trx)
    return fn(trx)
  })
}
