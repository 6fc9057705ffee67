// Each device's undo stack (migration 0010): scans and undos in one batch and across batches, two devices
// keeping their own stacks, a database migrated with undo history already in it, and old changes pruned.
import { makeEnvelope } from '@relais/hardware'
import { type Kysely, Migrator } from 'kysely'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createEventHandlers } from '../src/app/event-handlers.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { createHousehold } from '../src/domains/households/households.js'
import { pruneChanges } from '../src/domains/lists/scan-batch.js'
import { InlineApplier } from '../src/ingest/appliers.js'
import { applyBatch, type IncomingEvent } from '../src/ingest/batch-apply.js'
import type { MessageBus } from '../src/ingest/bus.js'
import { EventIngest } from '../src/ingest/event-ingest.js'
import { type Db, migrate, openSqlite } from '../src/storage/db.js'
import { migrations } from '../src/storage/migrations/index.js'
import { openPostgres } from '../src/storage/postgres.js'
import { databaseEnv, openTestDatabase } from './support/database.js'

const A = '3017620422003'
const B = '96385074'
const C = '5000112637922'
const handlers = createEventHandlers({ debounceMs: 3000, webhook: false })
let ts = 1_000_000
let seq = 0

const event = (device: string, code: string, mode?: 'undo'): IncomingEvent => {
  ts += 60_000 // never within the debounce window
  const data = mode === undefined ? { code } : { code: 'RELAIS-UNDO', mode }
  const message = makeEnvelope({ agent: 'kitchen', device, type: 'scan', session: 's', seq: seq++, ts, data })
  return { agent: 'kitchen', device, name: 'scan', message, receivedAt: ts, householdId: null, siteId: null }
}

const apply = async (db: Db, batch: IncomingEvent[]) =>
  (await applyBatch(db, handlers, batch, Date.now())).map((r) => r.ack.outcome)

const list = async (db: Db) =>
  Object.fromEntries(
    (await db.selectFrom('items').select(['code', 'quantity']).orderBy('code').execute()).map((r) => [
      r.code.replace(/^0+/, ''),
      Number(r.quantity),
    ]),
  )

async function placed(db: Db): Promise<Db> {
  await createHousehold(db, { id: 'home', name: 'Home' })
  await addAgent(db, { id: 'kitchen', householdId: 'home' })
  return db
}

const t = suite('undo stacks')

// First in the file: a change's seq follows its batch's `now` (here days back) only while no later seq
// was handed out in this process (nextSeq).
t('old changes are pruned with the old dedupe records: undo goes back no further', async () => {
  const db = await placed(await openTestDatabase(':memory:'))
  const bus: MessageBus = { subscribe: async () => async () => {}, publish: async () => {} }
  const ingest = new EventIngest({
    bus,
    db,
    applier: new InlineApplier(db, handlers),
    prunes: { scan: pruneChanges },
    log: pino({ level: 'silent' }),
    batchMax: 10,
    dedupeRetentionDays: 30,
  })
  try {
    const day = 86_400_000
    // Applied 40 and 20 days ago: the first is past the 30 days kept.
    const [early, late] = [event('s1', A), event('s1', B)]
    await applyBatch(db, handlers, [early], Date.now() - 40 * day)
    await applyBatch(db, handlers, [late], Date.now() - 20 * day)
    await ingest.start()
    const gone = async () =>
      (await db.selectFrom('processed_events').select('event_id').execute()).length === 1
    for (let i = 0; i < 100 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(
      (await db.selectFrom('processed_events').select('event_id').execute()).map((r) => r.event_id),
      [late.message.id],
    )
    assert.equal(
      (await db.selectFrom('item_changes').select('event_id').execute()).map((r) => r.event_id),
      [late.message.id],
    )
    assert.equal(await apply(db, [event('s1', '', 'undo'), event('s1', '', 'undo')]), [
      'undone',
      'nothing_to_undo',
    ])
    assert.equal(await list(db), { [A]: 1 })
  } finally {
    await ingest.stop()
    await db.destroy()
  }
})

t('scans and undos in one batch: each undo takes back the newest change left, then nothing', async () => {
  const db = await placed(await openTestDatabase(':memory:'))
  try {
    const got = await apply(db, [
      event('s1', A),
      event('s1', A),
      event('s1', B),
      event('s1', '', 'undo'),
      event('s1', '', 'undo'),
      event('s1', A),
      event('s1', '', 'undo'),
      event('s1', '', 'undo'),
      event('s1', '', 'undo'),
    ])
    assert.equal(got, [
      'unknown_product',
      'unknown_product',
      'unknown_product',
      'undone',
      'undone',
      'unknown_product',
      'undone',
      'undone',
      'nothing_to_undo',
    ])
    assert.equal(await list(db), {})
    const left = await db.selectFrom('undo_stacks').selectAll().execute()
    assert.equal(
      left.map((r) => [r.device_id, r.top_seq]),
      [['s1', null]],
    )
  } finally {
    await db.destroy()
  }
})

t('across batches, two devices each undo their own changes, newest first', async () => {
  const db = await placed(await openTestDatabase(':memory:'))
  try {
    await apply(db, [event('s1', A), event('s2', B), event('s1', C)])
    await apply(db, [event('s2', A)])
    assert.equal(await list(db), { [A]: 2, [B]: 1, [C]: 1 })
    // s1: C, then A (one of two); s2: its A, then B.
    assert.equal(await apply(db, [event('s1', '', 'undo'), event('s2', '', 'undo')]), ['undone', 'undone'])
    assert.equal(await list(db), { [A]: 1, [B]: 1 })
    assert.equal(await apply(db, [event('s1', '', 'undo')]), ['undone'])
    assert.equal(await list(db), { [B]: 1 })
    // A new scan after undos goes on top of what is left: s2's B is still below it.
    await apply(db, [event('s2', C)])
    assert.equal(
      await apply(db, [event('s2', '', 'undo'), event('s2', '', 'undo'), event('s2', '', 'undo')]),
      ['undone', 'undone', 'nothing_to_undo'],
    )
    assert.equal(await list(db), {})
    assert.equal(await apply(db, [event('s1', '', 'undo')]), ['nothing_to_undo'])
  } finally {
    await db.destroy()
  }
})

t('a database with undo history keeps it through the migration, and a replayed event its ack', async () => {
  const { RELAIS_DATABASE_URL: url } = await databaseEnv(':memory:')
  const db = url === undefined ? openSqlite({ dataDir: ':memory:' }).db : openPostgres({ url })
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    const before = await migrator.migrateTo('0008-mosquitto-hashes')
    assert.is(before.error, undefined)
    await placed(db)
    // Applied by the code of the time: s1 made A, B (undone since) and C; s2 made B.
    const old = [event('s1', A), event('s1', B), event('s1', C), event('s2', B)]
    const outcome = JSON.stringify({ outcome: 'unknown_product' })
    await db
      .insertInto('processed_events')
      .values(old.map((e) => ({ agent_id: e.agent, event_id: e.message.id, received_at: 1, outcome })))
      .execute()
    const home = await db.selectFrom('lists').select('id').executeTakeFirstOrThrow()
    const item = (code: string) => ({
      id: `item-${code}`,
      list_id: home.id,
      code: `0${code}`.padStart(14, '0'),
      display_code: code,
      name: null,
      quantity: 1,
      checked: 0,
      unknown: 1,
      added_by: 'kitchen/s1',
      first_scan_at: 1,
      last_scan_at: 1,
      last_scan_agent: 'kitchen',
      last_scan_device: 's1',
      created_at: 1,
      updated_at: 1,
    })
    await db
      .insertInto('items')
      .values([item(A), item(B), item(C)])
      .execute()
    const change = (n: number, device: string, code: string, kind: string, undone: boolean) =>
      ({
        seq: n,
        agent_id: 'kitchen',
        device_id: device,
        event_id: old[n - 1]!.message.id,
        item_id: `item-${code}`,
        before: JSON.stringify({ kind }),
        created_at: 1,
        undone_at: undone ? 2 : null,
      }) as const
    // Typed as the table was then: no prev_seq yet.
    await (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .insertInto('item_changes')
      .values([
        change(1, 's1', A, 'create', false),
        change(2, 's1', B, 'create', true),
        change(3, 's1', C, 'create', false),
        change(4, 's2', B, 'create', false),
      ])
      .execute()

    await migrate(db)
    const tops = await db.selectFrom('undo_stacks').selectAll().orderBy('device_id').execute()
    assert.equal(
      tops.map((r) => [r.device_id, Number(r.top_seq)]),
      [
        ['s1', 3],
        ['s2', 4],
      ],
    )
    // The replay finds its dedupe record under the new key order.
    const [replay] = await applyBatch(db, handlers, [old[0]!], Date.now())
    assert.equal(replay!.ack, { outcome: 'unknown_product', replayed: true })
    // s1's undos skip the change undone before the migration: C, then A, then nothing.
    assert.equal(
      await apply(db, [event('s1', '', 'undo'), event('s1', '', 'undo'), event('s1', '', 'undo')]),
      ['undone', 'undone', 'nothing_to_undo'],
    )
    assert.equal(await list(db), { [B]: 1 })
    assert.equal(await apply(db, [event('s2', '', 'undo')]), ['undone'])
    assert.equal(await list(db), {})
  } finally {
    await db.destroy()
  }
})

t.run()
