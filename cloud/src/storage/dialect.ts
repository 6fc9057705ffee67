// Which engine a Kysely instance talks to, for the few places where SQLite and PostgreSQL need different
// SQL (the webhook queue's insertion order, the migration that gives PostgreSQL a column for it). Kept
// here so every per-dialect branch asks the same question.
import { PostgresAdapter } from 'kysely'

/** Any Kysely instance or transaction, whatever its table types. */
export function isPostgres(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
