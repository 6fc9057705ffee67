// Acknowledging an alert on a process that does not run the evaluator (a follower in a cluster, sharing
// the leader's PostgreSQL): the HTTP ack is answered there, written once with its webhook notice, and
// the leader's engine stops repeating it; a repeat the leader writes from a stale copy keeps the
// acknowledgement. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type AckDeps, AlertEngine, acknowledgeAlert } from '../src/domains/alerts/alert-engine.js'
import type { AlertSettings } from '../src/domains/alerts/alert-settings.js'
import { getAlert, saveAlert } from '../src/domains/alerts/alert-store.js'
import { alertKey, type Condition, SEVERITY } from '../src/domains/alerts/rules.js'
import type { MessageBus } from '../src/ingest/bus.js'
import type { Db } from '../src/storage/db.js'
import { openTestDatabase } from './support/database.js'

const MIN = 60_000
const noon = Date.UTC(2026, 5, 1, 10, 0)
const settings = {
  tickMs: 5000,
  repeatMs: 30 * MIN,
  quietHours: undefined,
  timeZone: 'Europe/Paris',
} as unknown as AlertSettings
const offline: Condition = {
  key: alertKey('offline', 'pi-1'),
  rule: 'offline',
  subject: 'pi-1',
  device: null,
  severity: SEVERITY.offline,
  message: 'offline pi-1',
  details: {},
}
const log = pino({ level: 'silent' })

interface Ctx {
  dir: string
  db: Db
  /** What each process published over MQTT, in order. */
  leaderOut: string[]
  followerOut: string[]
  leader: AlertEngine
  follower: AckDeps
}
const t = suite<Ctx>('alerts: acknowledged on a follower')

const recorder = (out: string[]): MessageBus => ({
  subscribe: async () => async () => {},
  publish: async (_topic, payload) => {
    out.push(String(payload))
  },
})
const notices = async (db: Db) =>
  (
    await db
      .selectFrom('webhook_deliveries')
      .select(['body', 'created_at'])
      .where('channel', '=', 'alerts')
      .orderBy('created_at')
      .execute()
  ).map((r) => (JSON.parse(r.body) as { type: string }).type)

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-follower-ack-'))
  ctx.db = await openTestDatabase(ctx.dir)
  ctx.leaderOut = []
  ctx.followerOut = []
  // Two processes' views of one database: the leader's engine, and a follower's acknowledgement deps.
  ctx.leader = new AlertEngine({
    db: ctx.db,
    bus: recorder(ctx.leaderOut),
    log,
    settings,
    webhook: { kick: () => {} },
  })
  ctx.follower = { db: ctx.db, bus: recorder(ctx.followerOut), log, webhook: {} }
  await ctx.leader.load()
  await ctx.leader.reconcile([offline], new Set(), noon)
})
t.after.each(async ({ db, dir }) => {
  await db.destroy()
  rmSync(dir, { recursive: true, force: true })
})

const openAlert = (e: AlertEngine) => [...e.openAlerts()][0]!

t('the follower acknowledges once; the leader stops repeating it', async (ctx) => {
  const { id } = openAlert(ctx.leader)
  const acked = await acknowledgeAlert(ctx.follower, id, 'ops:ana', noon + MIN)
  assert.equal([acked.ackedAt, acked.ackedBy, acked.nextRepeatAt], [noon + MIN, 'ops:ana', null])
  assert.is(JSON.parse(ctx.followerOut.at(-1)!).type, 'alert.acked', 'its retained state, from the follower')
  const again = await acknowledgeAlert(ctx.follower, id, 'ops:bob', noon + 2 * MIN)
  assert.is(again.ackedBy, 'ops:ana', 'twice changes nothing')
  assert.is(ctx.followerOut.length, 1)
  assert.equal(await notices(ctx.db), ['alert.raised', 'alert.acked'])
  // Past the repeat time the leader, which never saw the HTTP request, repeats nothing.
  for (let m = 5; m <= 65; m += 5) await ctx.leader.reconcile([offline], new Set(), noon + m * MIN)
  assert.equal(await notices(ctx.db), ['alert.raised', 'alert.acked'])
  assert.is(openAlert(ctx.leader).ackedBy, 'ops:ana')
  assert.is((await getAlert(ctx.db, id))!.repeats, 0)
  assert.equal(
    ctx.leaderOut.map((p) => JSON.parse(p).type),
    ['alert.raised'],
  )
  // Clearing still works from the leader, and says it was acknowledged.
  await ctx.leader.reconcile([], new Set([offline.key]), noon + 70 * MIN)
  const cleared = (await getAlert(ctx.db, id))!
  assert.equal([cleared.clearedAt, cleared.ackedBy], [noon + 70 * MIN, 'ops:ana'])
})

t('a repeat written from a copy that missed the ack keeps the ack', async (ctx) => {
  const stale = openAlert(ctx.leader)
  await acknowledgeAlert(ctx.follower, stale.id, 'ops:ana', noon + MIN)
  const stored = await saveAlert(ctx.db, {
    ...stale,
    repeats: 1,
    lastSentAt: noon + 30 * MIN,
    nextRepeatAt: noon + 60 * MIN,
  })
  assert.equal([stored.ackedAt, stored.ackedBy, stored.nextRepeatAt], [noon + MIN, 'ops:ana', null])
})

t('unknown and cleared alerts answer as the leader would', async (ctx) => {
  try {
    await acknowledgeAlert(ctx.follower, '00000000-0000-0000-0000-000000000000', 'ops:ana', noon)
    assert.unreachable()
  } catch (err) {
    assert.is((err as { status?: number }).status, 404)
  }
  const { id } = openAlert(ctx.leader)
  await ctx.leader.reconcile([], new Set([offline.key]), noon + MIN)
  try {
    await acknowledgeAlert(ctx.follower, id, 'ops:ana', noon + 2 * MIN)
    assert.unreachable()
  } catch (err) {
    assert.is((err as { status?: number }).status, 409)
  }
})

t.run()
