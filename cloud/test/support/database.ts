// The test's relational store: SQLite in `dataDir`, or that data dir's own PostgreSQL database when
// RELAIS_TEST_DATABASE=postgres (scripts/testkit/test-database.ts). Harnesses open it through here, and
// pass databaseEnv(dataDir) to clouds and CLI commands, so a suite runs unchanged on either.
import { databaseEnv } from '../../../scripts/testkit/test-database.js'
import { type Db, openDatabase } from '../../src/storage/db.js'

export { databaseEnv, databaseEnvNow, testDatabase } from '../../../scripts/testkit/test-database.js'

export async function openTestDatabase(dataDir: string): Promise<Db> {
  const { RELAIS_DATABASE_URL: url } = await databaseEnv(dataDir)
  return openDatabase({ dataDir, url })
}
