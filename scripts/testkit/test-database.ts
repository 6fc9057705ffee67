// The database of a test, as a parameter: SQLite in the test's data dir by default, PostgreSQL when
// RELAIS_TEST_DATABASE=postgres (scripts/test.mjs runs the storage-touching suites a second time so).
// On PostgreSQL one throwaway server serves the whole test file (started at the first ask, about a
// second, stopped when the process exits), and each data dir gets a database of its own, so tests that
// make a fresh data dir get a fresh database just the same. Imported by tests only.
import { findPostgres, type Postgres, postgresInstallHint, startPostgres } from './postgres.js'

export const testDatabase: 'sqlite' | 'postgres' =
  process.env.RELAIS_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'

let server: Promise<Postgres> | undefined
const urls = new Map<string, Promise<string>>()
const made = new Map<string, string>()

/**
 * What to add to a cloud's or CLI's environment so it keeps its relational data where the test run
 * wants it: `{}` on SQLite, `{ RELAIS_DATABASE_URL }` of the data dir's own database on PostgreSQL.
 */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  if (testDatabase === 'sqlite') return {}
  // ':memory:' is a new empty database at every open, on PostgreSQL as on SQLite.
  if (dataDir === ':memory:') return { RELAIS_DATABASE_URL: await (await sharedServer()).createDatabase() }
  let url = urls.get(dataDir)
  if (url === undefined) {
    url = sharedServer().then((s) => s.createDatabase())
    urls.set(dataDir, url)
    url.then((u) => made.set(dataDir, u)).catch(() => urls.delete(dataDir))
  }
  return { RELAIS_DATABASE_URL: await url }
}

/** databaseEnv for code that cannot wait: the data dir's database must have been made already. */
export function databaseEnvNow(dataDir: string): Record<string, string> {
  if (testDatabase === 'sqlite') return {}
  const url = made.get(dataDir)
  if (url === undefined) throw new Error(`no test database made yet for ${dataDir}: await databaseEnv first`)
  return { RELAIS_DATABASE_URL: url }
}

function sharedServer(): Promise<Postgres> {
  if (server === undefined) {
    if (findPostgres() === undefined)
      throw new Error(`RELAIS_TEST_DATABASE=postgres but PostgreSQL not found (${postgresInstallHint})`)
    server = startPostgres({ unref: true })
  }
  return server
}
