// One leader among cloud processes sharing PostgreSQL (app/leadership.ts): exactly one runs the jobs;
// when it stops, or its database session is killed, another takes over; without PostgreSQL the single
// process leads at once.
import type { Feature } from '@relais/hardware'
import pg from 'pg'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findPostgres,
  type Postgres,
  postgresInstallHint,
  startPostgres,
} from '../../scripts/testkit/postgres.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { loadConfig } from '../src/app/config.js'
import { Leadership } from '../src/app/leadership.js'
import { createLogger } from '../src/lib/logger.js'
import { configProblems } from './support/config.js'

const available = serviceAvailable('PostgreSQL', findPostgres(), postgresInstallHint)
const log = createLogger({ level: 'silent' })
const t = suite('leadership: one process runs the jobs')

let server: Postgres | undefined
const overlaps: string[] = []
const made: Leadership[] = []
t.after(async () => {
  // A failed assertion leaves campaigns running: their timers would keep the process alive.
  for (const l of made) await l.stop()
  await server?.stop()
})

/** A job that counts how many of its copies run at once across the "processes". */
function job(name: string, running: Set<string>, starts: string[]): Feature {
  return {
    name: `job-${name}`,
    start: () => {
      if (running.size > 0) overlaps.push(`${name} started while ${[...running]} ran`)
      running.add(name)
      starts.push(name)
    },
    stop: () => {
      running.delete(name)
    },
  }
}

t('RELAIS_REDIS_URL and RELAIS_LEADER_CHECK_MS are checked at boot, each error naming its variable', () => {
  const problems = configProblems
  const db = 'postgres://relais@127.0.0.1:5432/relais'
  const ok = loadConfig({ RELAIS_REDIS_URL: 'redis://127.0.0.1:6379', RELAIS_DATABASE_URL: db })
  assert.is(ok.redisUrl, 'redis://127.0.0.1:6379')
  assert.is(ok.leaderCheckMs, 5000)
  assert.is(loadConfig({}).redisUrl, undefined)
  assert.match(problems({ RELAIS_REDIS_URL: 'redis://r:6379' }).join(), /needs RELAIS_DATABASE_URL/)
  assert.match(problems({ RELAIS_REDIS_URL: 'http://r', RELAIS_DATABASE_URL: db }).join(), /RELAIS_REDIS_URL/)
  assert.match(
    problems({
      RELAIS_REDIS_URL: 'redis://r',
      RELAIS_DATABASE_URL: db,
      RELAIS_BROKER_URL: 'mqtt://m',
    }).join(),
    /RELAIS_REDIS_URL/,
  )
  assert.match(problems({ RELAIS_LEADER_CHECK_MS: '5' }).join(), /RELAIS_LEADER_CHECK_MS/)
})

t('without PostgreSQL the only process leads at once', async () => {
  const running = new Set<string>()
  const l = new Leadership({ features: [job('solo', running, [])], log })
  await l.start()
  assert.ok(l.leader)
  assert.equal([...running], ['solo'])
  await l.stop()
  assert.not.ok(l.leader)
  assert.is(running.size, 0)
})

t('two processes: one leads; stopping it hands over; a killed session hands over', async () => {
  if (!available) return
  server = await startPostgres()
  const url = await server.createDatabase()
  const running = new Set<string>()
  const starts: string[] = []
  const make = (name: string) => {
    const l = new Leadership({ url, features: [job(name, running, starts)], log, retryMs: 100 })
    made.push(l)
    return l
  }
  const a = make('a')
  const b = make('b')
  await a.start()
  await waitFor('a to lead', async () => a.leader)
  await b.start()
  // b asks several times and is refused while a holds the lock.
  await new Promise((r) => setTimeout(r, 500))
  assert.equal([...running], ['a'])
  assert.not.ok(b.leader)

  await a.stop()
  await waitFor('b to take over', async () => b.leader)
  assert.equal([...running], ['b'])

  // The leader's session dies (a network cut, an admin's pg_terminate_backend): it stops its jobs, and
  // the lock is free for the next process; a third one takes over while b reconnects as a follower.
  const c = make('c')
  await c.start()
  await new Promise((r) => setTimeout(r, 300))
  assert.not.ok(c.leader)
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  const killed = await admin.query(
    `select pg_terminate_backend(pid) as ok from pg_locks
     where locktype = 'advisory' and granted and pid <> pg_backend_pid()`,
  )
  await admin.end()
  assert.is(killed.rowCount, 1)
  await waitFor('a leader again after the session was killed', async () => starts.length >= 3)
  await new Promise((r) => setTimeout(r, 500))
  assert.is([b, c].filter((l) => l.leader).length, 1)
  assert.is(running.size, 1)
  // Never two at once: every start found no other copy running.
  assert.equal(overlaps, [])
  await b.stop()
  await c.stop()
  assert.is(running.size, 0)
})

t.run()
