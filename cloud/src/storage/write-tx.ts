// A transaction that takes the database's write lock with its first statement, so writers through here
// run one at a time, whichever process they are in.
//
// SQLite: two connections write this file (the ingest writer thread and the main thread's round
// service); in WAL mode a transaction that reads first and writes later fails at once with SQLITE_BUSY
// (busy_timeout does not help: its read snapshot is stale) when the other commits in between. Taking
// the lock first makes it wait its turn.
//
// PostgreSQL: at READ COMMITTED two cloud processes could both read an item's quantity and both write
// it plus one (a lost update); the domains were written for one writer at a time. A transaction-scoped
// advisory lock gives them that, across processes, and is released at commit or rollback. Event
// deduplication does not rely on it (ingest/batch-apply.ts claims each event id on its own).

import type { Kysely } from 'kysely'
import { sql, type Transaction } from 'kysely'
import { isPostgres } from './dialect.js'
import type { Database } from './schema.js'

export type Trx = Transaction<Database>

/** The advisory lock's key: any fixed 64-bit number no other application on the database uses. */
const WRITE_LOCK = 0x52454c414953 // "RELAIS"

export function writeTx<T>(db: Kysely<Database>, fn: (trx: Trx) => Promise<T>): Promise<T> {
  const lock = isPostgres(db)
    ? sql`select pg_advisory_xact_lock(${sql.lit(WRITE_LOCK)})`
    : // A write statement that matches no row still takes SQLite's lock.
      sql`update rounds set revision = revision where 1 = 0`
  return db.transaction().execute(async (trx) => {
    await lock.execute(trx)
    return fn(trx)
  })
}
