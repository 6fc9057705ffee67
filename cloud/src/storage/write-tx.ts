// A transaction that takes SQLite's write lock with its first statement. Two connections write this
// file (the ingest writer thread and the main thread's round service); in WAL mode a transaction that
// reads first and writes later fails at once with SQLITE_BUSY (busy_timeout does not help: its read
// snapshot is stale) when the other commits in between. Taking the lock first makes it wait its turn.

import type { Kysely } from 'kysely'
import { sql, type Transaction } from 'kysely'
import type { Database } from './schema.js'

export type Trx = Transaction<Database>

export function writeTx<T>(db: Kysely<Database>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // A write statement that matches no row still takes the lock (PostgreSQL: a harmless no-op).
    await sql`update rounds set revision = revision where 1 = 0`.execute(trx)
    return fn(trx)
  })
}
