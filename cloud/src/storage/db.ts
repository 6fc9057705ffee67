// The relational store: SQLite (better-sqlite3) in RELAIS_DATA_DIR by default, PostgreSQL when
// RELAIS_DATABASE_URL is set (postgres.ts); the same Kysely queries and migrations run on both.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import type { Logger } from '../lib/logger.js'
import { migrations } from './migrations/index.js'
import { openPostgres } from './postgres.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>

export interface OpenDbOptions {
  /** A folder for relais.db; ':memory:' for a throwaway database. */
  dataDir: string
  fileName?: string
  /** postgres://...: the relational data lives there instead, and dataDir holds no relais.db. */
  url?: string
  log?: Logger
}

export function openSqlite(opts: OpenDbOptions): { db: Db; sqlite: SQLite.Database } {
  let path = ':memory:'
  if (opts.dataDir !== ':memory:') {
    mkdirSync(opts.dataDir, { recursive: true })
    path = join(opts.dataDir, opts.fileName ?? 'relais.db')
  }
  const sqlite = new SQLite(path)
  // WAL lets readers (HTTP) run beside the writer (ingest). synchronous=FULL fsyncs every commit, so an
  // acknowledged event survives power loss; ingest commits in groups to pay for that once per batch.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  // A second process (the CLI while the server runs) waits for the write lock instead of failing.
  sqlite.pragma('busy_timeout = 5000')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return { db, sqlite }
}

/**
 * Kysely prepares every statement again on each run; preparing costs about as much as a small query
 * itself. Ingest runs the same dozen statements per batch, so remember them by their SQL (bounded: bulk
 * inserts of varying row counts produce many texts).
 */
function withStatementCache(sqlite: SQLite.Database, max = 256) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let stmt = cache.get(text)
      if (stmt === undefined) {
        stmt = sqlite.prepare(text)
        if (cache.size >= max) cache.delete(cache.keys().next().value!)
        cache.set(text, stmt)
      }
      return stmt
    },
  }
}

export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error !== undefined || failed !== undefined) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`)
  }
}

/** Opens the configured store and brings its schema up to date. */
export async function openDatabase(opts: OpenDbOptions): Promise<Db> {
  const db = opts.url === undefined ? openSqlite(opts).db : openPostgres({ url: opts.url, log: opts.log })
  try {
    await migrate(db)
  } catch (err) {
    await db.destroy()
    throw err
  }
  return db
}
