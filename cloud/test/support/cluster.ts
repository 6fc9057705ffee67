// Test support for the cluster suites: a real Redis and PostgreSQL that the nodes of one test file
// share, started on loopback ports; the suite is skipped (or fails under RELAIS_REQUIRE_SERVICES=1)
// when either is not installed.
import { findPostgres, postgresInstallHint, startPostgres } from '../../../scripts/testkit/postgres.js'
import { findRedis, redisInstallHint, startRedis } from '../../../scripts/testkit/redis.js'
import { serviceAvailable } from '../../../scripts/testkit/services.js'

export function clusterServicesAvailable(): boolean {
  return (
    serviceAvailable('redis-server', findRedis(), redisInstallHint) &&
    serviceAvailable('PostgreSQL', findPostgres(), postgresInstallHint)
  )
}

export interface ClusterServices {
  /** RELAIS_REDIS_URL and RELAIS_DATABASE_URL (a fresh database) for every node. */
  env: { RELAIS_REDIS_URL: string; RELAIS_DATABASE_URL: string }
  stop(): Promise<void>
}

export async function startClusterServices(): Promise<ClusterServices> {
  const redis = await startRedis()
  try {
    const pg = await startPostgres()
    return {
      env: { RELAIS_REDIS_URL: redis.url, RELAIS_DATABASE_URL: await pg.createDatabase() },
      stop: async () => {
        await redis.stop()
        await pg.stop()
      },
    }
  } catch (err) {
    await redis.stop()
    throw err
  }
}
