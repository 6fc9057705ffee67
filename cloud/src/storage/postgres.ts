// The relational store on PostgreSQL (RELAIS_DATABASE_URL), through the same Kysely queries as SQLite.
// node-postgres returns bigint (int8) and numeric as strings, since they may exceed 2^53; Relais keeps
// epoch milliseconds and counts there, all far below it, and its row types say number, so they are
// parsed as numbers here, per pool (not through pg's process-wide type registry).
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Logger } from '../lib/logger.js'
import type { Database } from './schema.js'

const INT8 = 20
const NUMERIC = 1700

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format as 'text')
  },
} as pg.CustomTypesConfig

export interface PostgresOptions {
  url: string
  /** Connections in the pool; ingest holds one per batch, HTTP and the CLI take the rest. */
  max?: number
  log?: Logger
}

export function openPostgres(opts: PostgresOptions): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10, types })
  // An idle client's error (the server restarted, a connection was killed) would otherwise be an
  // uncaught 'error' event; the pool drops that client and the next query opens a fresh one.
  pool.on('error', (err) => {
    if (opts.log) opts.log.warn({ err }, 'idle database connection failed')
    else process.emitWarning(`idle database connection failed: ${err.message}`)
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** True for the URLs RELAIS_DATABASE_URL accepts. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url)
}
