// PostgreSQL as the relational store (RELAIS_DATABASE_URL): the migrations from an empty database, scans
// over MQTT with duplicates applied once each and acked, and the dedupe key holding when two appliers
// (two cloud processes' worth) apply overlapping batches at once.
import { makeEnvelope } from '@relais/hardware'
import { sql } from 'kysely'
import pg from 'pg'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findPostgres,
  type Postgres,
  postgresInstallHint,
  startPostgres,
} from '../../scripts/testkit/postgres.js'
import { serviceAvailable } from '../../scripts/testkit/services.js'
import { createEventHandlers } from '../src/app/event-handlers.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { createHousehold } from '../src/domains/households/households.js'
import { InlineApplier } from '../src/ingest/appliers.js'
import type { Applied, IncomingEvent } from '../src/ingest/batch-apply.js'
import { type Db, openDatabase } from '../src/storage/db.js'
import { isPostgres } from '../src/storage/dialect.js'
import { migrations } from '../src/storage/migrations/index.js'
import { addProduct } from './support/catalogue.js'
import { startTestCloud, TestDevice } from './support/harness.js'

const NUTELLA = '3017620422003'
const available = serviceAvailable('postgresql', findPostgres(), postgresInstallHint)
const t = suite<{ server: Postgres }>('storage on PostgreSQL')
const test = available ? t : t.skip

t.before(async (ctx) => {
  if (available) ctx.server = await startPostgres()
})
t.after(async (ctx) => ctx.server?.stop())

async function withDb<T>(url: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase({ dataDir: ':memory:', url })
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

const product = (db: Db) => addProduct(db, `0${NUTELLA}`, 'Nutella')

const migrationNames = async (db: Db) =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map(
    (r) => r.name,
  )

test('migrations run up from an empty database; times, counts and booleans read back as numbers', async ({
  server,
}) => {
  const url = await server.createDatabase()
  await withDb(url, async (db) => {
    assert.ok(isPostgres(db))
    assert.equal(await migrationNames(db), Object.keys(migrations).sort())
    // The open-request index is unique and partial, as on SQLite.
    const idx = await sql<{ indexdef: string }>`select indexdef from pg_indexes
      where indexname = 'pickup_requests_open'`.execute(db)
    assert.match(idx.rows[0]!.indexdef, /UNIQUE.*WHERE/)
    await createHousehold(db, { id: 'home', name: 'Home' })
    const h = await db.selectFrom('households').selectAll().executeTakeFirstOrThrow()
    assert.type(h.created_at, 'number')
    const n = await db
      .selectFrom('lists')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    assert.is(n.n, 1)
    const list = await db.selectFrom('lists').select('is_default').executeTakeFirstOrThrow()
    assert.is(list.is_default, 1)
  })
  // A second open finds everything applied and changes nothing.
  await withDb(url, async (db) => {
    assert.equal(await migrationNames(db), Object.keys(migrations).sort())
  })
})

test('scans over MQTT with duplicates: each event applied once, every copy acked, the list exact', async ({
  server,
}) => {
  const tc = await startTestCloud({ RELAIS_DATABASE_URL: await server.createDatabase() })
  try {
    assert.ok(isPostgres(tc.cloud.db))
    assert.is(tc.cloud.config.ingest.worker, false)
    await tc.household('home')
    const a = await tc.agent('kitchen', 'home')
    await product(tc.cloud.db)
    const dev = new TestDevice(await tc.connect('kitchen', 'kitchen', a.secret), 'kitchen')
    await dev.subscribeAcks()
    // Ten scans of one product, far enough apart not to be debounced; each published three times.
    const envs = Array.from({ length: 10 }, (_, i) =>
      dev.scanEnvelope(NUTELLA, { ts: 1_000_000 + i * 60_000 }),
    )
    const copies = [...envs, ...envs, ...envs]
    const acks = copies.map(async (e) => {
      await dev.publish(e)
    })
    await Promise.all(acks)
    const got = await Promise.all(envs.map((e) => dev.waitAck(e.id)))
    assert.is(got.length, 10)
    const items = await tc.cloud.db.selectFrom('items').selectAll().execute()
    assert.is(items.length, 1)
    assert.is(items[0]!.quantity, 10)
    assert.is(items[0]!.name, 'Nutella')
    const processed = await tc.cloud.db.selectFrom('processed_events').select('event_id').execute()
    assert.equal(processed.map((p) => p.event_id).sort(), envs.map((e) => e.id).sort())
    // A resend after the fact is a replay of the recorded outcome.
    dev.acks.delete(envs[0]!.id)
    const again = dev.waitAck(envs[0]!.id)
    await dev.publish(envs[0]!)
    assert.is(((await again).data as { replayed?: boolean }).replayed, true)
  } finally {
    await tc.stop()
  }
})

test('two appliers on one database apply overlapping batches at once: each event once', async ({
  server,
}) => {
  const url = await server.createDatabase()
  await withDb(url, async (db) => {
    await createHousehold(db, { id: 'home', name: 'Home' })
    await addAgent(db, { id: 'kitchen', householdId: 'home' })
    await product(db)
  })
  const dbs = [
    await openDatabase({ dataDir: ':memory:', url }),
    await openDatabase({ dataDir: ':memory:', url }),
  ]
  try {
    const handlers = createEventHandlers({ debounceMs: 0, webhook: false })
    const appliers = dbs.map((db) => new InlineApplier(db, handlers))
    const events = Array.from({ length: 60 }, (_, i) => scanEvent(i))
    // Rounds of two batches sharing half their events, sent to both appliers together.
    const outcomes: string[][] = events.map(() => [])
    for (let r = 0; r < 6; r++) {
      const a = events.slice(r * 10, r * 10 + 20)
      const b = events.slice(r * 10 + 10, r * 10 + 30)
      const [ra, rb] = await Promise.all([
        appliers[0]!.apply(a, Date.now()),
        appliers[1]!.apply(b.length > 0 ? b : a, Date.now()),
      ])
      const seen = (x: Applied) => (x.ack.replayed ? 'replay' : x.ack.outcome)
      for (const [k, x] of ra.entries()) outcomes[r * 10 + k]!.push(seen(x))
      if (b.length > 0) for (const [k, x] of rb.entries()) outcomes[r * 10 + 10 + k]!.push(seen(x))
    }
    // Every event had exactly one first application; every other copy was a replay.
    for (const o of outcomes) assert.is(o.filter((x) => x !== 'replay').length, 1, o.join(','))
    const item = await dbs[0]!.selectFrom('items').select('quantity').executeTakeFirstOrThrow()
    assert.is(item.quantity, 60)
    const n = await dbs[0]!
      .selectFrom('processed_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    assert.is(n.n, 60)
  } finally {
    await Promise.all(dbs.map((db) => db.destroy()))
  }
})

test('the dedupe claim at READ COMMITTED: the second insert waits, then inserts nothing and sees the first', async ({
  server,
}) => {
  const url = await server.createDatabase()
  await withDb(url, async () => {})
  const [c1, c2] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })]
  await c1.connect()
  await c2.connect()
  try {
    const claim = `insert into processed_events (agent_id, event_id, received_at, outcome) values ('a', 'e1', 1, $1)
      on conflict do nothing returning event_id`
    await c1.query('begin')
    await c2.query('begin')
    assert.is((await c1.query(claim, ['first'])).rowCount, 1)
    const second = c2.query(claim, ['second'])
    await c1.query('commit')
    assert.is((await second).rowCount, 0)
    const seen = await c2.query(
      `select outcome from processed_events where agent_id = 'a' and event_id = 'e1'`,
    )
    assert.equal(seen.rows, [{ outcome: 'first' }])
    await c2.query('commit')
  } finally {
    await c1.end()
    await c2.end()
  }
})

function scanEvent(i: number): IncomingEvent {
  const message = makeEnvelope({
    agent: 'kitchen',
    device: 'scanner-1',
    type: 'scan',
    session: 's',
    seq: i,
    data: { code: NUTELLA },
  })
  message.ts = 1_000_000 + i * 60_000
  return {
    agent: 'kitchen',
    device: 'scanner-1',
    name: 'scan',
    message,
    receivedAt: 0,
    householdId: null,
    siteId: null,
  }
}

t.run()
