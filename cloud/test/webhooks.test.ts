// The webhook dispatcher against a real receiver on a loopback port: signed deliveries with the body as
// stored, retries with back-off while the receiver refuses, hangs or is gone, a restart in the middle
// (queue on disk, new dispatcher), strict order per request with requests interleaved, and pruning.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { recordTransition } from '../src/domains/pickups/transitions.js'
import {
  WebhookDispatcher,
  type WebhookDispatcherOptions,
} from '../src/domains/pickups/webhooks/dispatcher.js'
import { insertionOrder } from '../src/domains/pickups/webhooks/queue.js'
import { signWebhook, verifyWebhook } from '../src/domains/pickups/webhooks/signature.js'
import { createSite } from '../src/domains/sites/sites.js'
import type { Db } from '../src/storage/db.js'
import type { PickupRequestsTable } from '../src/storage/schema.js'
import { openTestDatabase } from './support/database.js'
import { WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'a-test-secret-of-some-length'
const CHAIN: PickupRequestsTable['state'][] = ['requested', 'scheduled', 'collected']

interface Ctx {
  dir: string
  db: Db
  rx: WebhookReceiver
  dispatchers: WebhookDispatcher[]
  logs: string[]
}

const t = suite<Ctx>('webhooks: the dispatcher', {} as Ctx)

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-webhooks-'))
  ctx.db = await openTestDatabase(ctx.dir)
  await createSite(ctx.db, { id: 's1', address: '12 rue de Rivoli', lat: 48.8556, lon: 2.3601 })
  await addAgent(ctx.db, { id: 'box', siteId: 's1' })
  ctx.rx = new WebhookReceiver(SECRET)
  await ctx.rx.start()
  ctx.dispatchers = []
  ctx.logs = []
})
t.after.each(async (ctx) => {
  for (const d of ctx.dispatchers) await d.stop()
  await ctx.rx.stop()
  await ctx.db.destroy()
  rmSync(ctx.dir, { recursive: true, force: true })
})

function dispatcher(ctx: Ctx, over: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  const log = pino({ level: 'debug' }, { write: (l: string) => ctx.logs.push(l) })
  const d = new WebhookDispatcher({
    db: ctx.db,
    url: ctx.rx.url,
    secret: SECRET,
    log,
    retry: { initialMs: 20, maxMs: 200 },
    pollMs: 20,
    timeoutMs: 1000,
    stopGraceMs: 1000,
    ...over,
  })
  ctx.dispatchers.push(d)
  return d
}

/** Moves a request one step along requested -> scheduled -> collected, queueing its webhook. */
async function step(db: Db, id: string): Promise<string> {
  const row = await db.selectFrom('pickup_requests').selectAll().where('id', '=', id).executeTakeFirst()
  const at = Date.now()
  return db.transaction().execute(async (trx) => {
    if (!row) {
      const r: PickupRequestsTable = {
        id,
        site_id: 's1',
        agent_id: 'box',
        device_id: `button-${id}`,
        state: 'requested',
        requested_at: at,
        window_from: null,
        window_to: null,
        updated_at: at,
        closed_reason: null,
        round_id: null,
      }
      await trx.insertInto('pickup_requests').values(r).execute()
      return recordTransition(
        trx,
        { request: r, from: null, to: 'requested', at, by: 'box/button', reason: null, eventId: null },
        { webhook: true },
      )
    }
    const to = CHAIN[CHAIN.indexOf(row.state) + 1]!
    const next = { ...row, state: to, updated_at: at }
    await trx.updateTable('pickup_requests').set({ state: to, updated_at: at }).where('id', '=', id).execute()
    return recordTransition(
      trx,
      { request: next, from: row.state, to, at, by: 'system', reason: null, eventId: null },
      { webhook: true },
    )
  })
}

/** Every transition of `id` arrived, in order, each once: requested, scheduled, collected as a chain. */
function assertChain(rx: WebhookReceiver, id: string, n = CHAIN.length): void {
  const got = rx.of(id)
  assert.equal(
    got.map((x) => [x.from, x.to]),
    CHAIN.slice(0, n).map((to, i) => [i === 0 ? null : CHAIN[i - 1]!, to]),
    `order of ${id}`,
  )
}

const pending = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('delivered_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  )

t('delivers each transition signed, with the stored body byte for byte and its headers', async (ctx) => {
  const id = await step(ctx.db, 'a')
  const d = dispatcher(ctx)
  d.start()
  await waitFor('the delivery', async () => ctx.rx.accepted.length === 1)
  const got = ctx.rx.accepted[0]!
  assert.is(got.delivery, id)
  const row = await ctx.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  assert.equal(got.notice, JSON.parse(row.body))
  assert.equal(
    [got.notice.type, got.notice.id, got.notice.to, got.notice.request.id],
    ['pickup.transition', id, 'requested', 'a'],
  )
  await waitFor('the row marked delivered', async () => (await pending(ctx.db)) === 0)
  const done = await ctx.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  assert.equal([done.attempts, done.last_status, done.last_error], [1, 204, null])
  assert.ok(done.delivered_at !== null)
  assert.equal(ctx.rx.rejected, [])
})

t('a receiver checks signatures: another secret, a changed body or an old timestamp are refused', () => {
  const body = '{"type":"pickup.transition"}'
  const now = 1_700_000_000_000
  const headers = (sig: string, ts = now) => ({
    'x-relais-delivery': 'd1',
    'x-relais-timestamp': String(ts),
    'x-relais-signature': sig,
  })
  const good = signWebhook(SECRET, now, body)
  assert.match(good, /^sha256=[0-9a-f]{64}$/)
  assert.equal(verifyWebhook(SECRET, headers(good), body, now), { ok: true, delivery: 'd1', timestamp: now })
  assert.equal(verifyWebhook('another-secret-entirely', headers(good), body, now), {
    ok: false,
    reason: 'bad_signature',
  })
  assert.equal(verifyWebhook(SECRET, headers(good), `${body} `, now), { ok: false, reason: 'bad_signature' })
  // Replaying a captured request later: the timestamp is outside the window.
  assert.equal(verifyWebhook(SECRET, headers(good), body, now + 10 * 60_000), { ok: false, reason: 'stale' })
  // Moving the timestamp forward breaks the signature, which covers it.
  const later = now + 10 * 60_000
  assert.equal(verifyWebhook(SECRET, headers(good, later), body, later), {
    ok: false,
    reason: 'bad_signature',
  })
  assert.equal(verifyWebhook(SECRET, { 'x-relais-delivery': 'd1' }, body, now), {
    ok: false,
    reason: 'missing_header',
  })
  assert.equal(verifyWebhook(SECRET, headers(good, 'soon' as never), body, now), {
    ok: false,
    reason: 'bad_timestamp',
  })
})

t(
  'refused attempts are retried with back-off, recorded on the row, and the request waits in order',
  async (ctx) => {
    ctx.rx.failNext = 3
    for (let i = 0; i < 3; i++) await step(ctx.db, 'a')
    const d = dispatcher(ctx)
    d.start()
    await waitFor('all three delivered', async () => ctx.rx.accepted.length === 3)
    assertChain(ctx.rx, 'a')
    // The three refusals were all of the first transition: nothing later went before it was through.
    const first = ctx.rx.accepted[0]!.delivery
    assert.equal(
      ctx.rx.attempts.slice(0, 4).map((a) => [a.delivery, a.status]),
      [
        [first, 503],
        [first, 503],
        [first, 503],
        [first, 204],
      ],
    )
    const row = await ctx.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', first)
      .executeTakeFirstOrThrow()
    assert.equal([row.attempts, row.last_status, row.last_error], [4, 204, null])
    assert.ok(
      ctx.logs.some(
        (l) => l.includes('"deliveryId":"' + first) && l.includes('"status":503') && l.includes('will retry'),
      ),
    )
  },
)

t('the failure is kept on the row while the receiver refuses', async (ctx) => {
  ctx.rx.failNext = 1_000_000
  ctx.rx.failStatus = 500
  const id = await step(ctx.db, 'a')
  const d = dispatcher(ctx, { retry: { initialMs: 50, maxMs: 100 } })
  d.start()
  const row = await waitFor('two failed attempts', async () => {
    const r = await ctx.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return r.attempts >= 2 && r
  })
  assert.equal([row.last_status, row.last_error, row.delivered_at], [500, 'HTTP 500', null])
  assert.ok(row.next_at > row.created_at)
})

t(
  'a receiver that hangs is timed out and retried; Retry-After is honoured up to the ceiling',
  async (ctx) => {
    ctx.rx.hang = true
    const id = await step(ctx.db, 'a')
    const d = dispatcher(ctx, { timeoutMs: 200 })
    d.start()
    const row = await waitFor('a timed-out attempt', async () => {
      const r = await ctx.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      return r.attempts >= 1 && r
    })
    assert.equal([row.last_status, row.last_error], [null, 'timed out after 200 ms'])
    ctx.rx.hang = false
    await waitFor('delivered once it answers', async () => ctx.rx.accepted.length === 1)

    ctx.rx.failNext = 1
    ctx.rx.retryAfter = '1'
    const second = await step(ctx.db, 'a')
    const failed = await waitFor('the refused attempt', async () => {
      const r = await ctx.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', second)
        .executeTakeFirstOrThrow()
      return r.attempts >= 1 && r
    })
    // Retry-After: 1 s, above the 200 ms ceiling of this dispatcher's back-off: the ceiling wins.
    assert.ok(failed.next_at - Date.now() <= 200, `next attempt in ${failed.next_at - Date.now()} ms`)
    await waitFor('then delivered', async () => ctx.rx.accepted.length === 2)
  },
)

t('the receiver goes away and comes back on its port: nothing lost, each request in order', async (ctx) => {
  const d = dispatcher(ctx)
  d.start()
  await step(ctx.db, 'a')
  await waitFor('the first', async () => ctx.rx.accepted.length === 1)
  await ctx.rx.stop()
  for (const id of ['a', 'b', 'a', 'b', 'c']) await step(ctx.db, id)
  await waitFor('connection refusals recorded', async () => {
    const r = await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['last_error'])
      .where('attempts', '>=', 2)
      .execute()
    return r.length > 0 && r.every((x) => x.last_error !== null && x.last_error.length > 0)
  })
  await ctx.rx.start() // same port
  await waitFor('everything delivered', async () => (await pending(ctx.db)) === 0)
  assertChain(ctx.rx, 'a')
  assertChain(ctx.rx, 'b', 2)
  assertChain(ctx.rx, 'c', 1)
  assert.equal(ctx.rx.repeats, [])
  assert.ok(d.stats.failed > 0)
})

t('a restart in the middle: the queue on disk is taken up by the next process, in order', async (ctx) => {
  ctx.rx.failNext = 2
  const d1 = dispatcher(ctx)
  d1.start()
  for (const id of ['a', 'b']) await step(ctx.db, id)
  await waitFor('a delivery and a refusal', async () => ctx.rx.accepted.length >= 1)
  await ctx.rx.stop()
  await step(ctx.db, 'a')
  await step(ctx.db, 'b')
  // The process goes away: dispatcher stopped, database closed, with deliveries still queued.
  await d1.stop()
  await ctx.db.destroy()
  ctx.db = await openTestDatabase(ctx.dir)
  // Written while no dispatcher runs (the writer thread does not need one).
  await step(ctx.db, 'a')
  await step(ctx.db, 'c')
  assert.ok((await pending(ctx.db)) >= 3)
  await ctx.rx.start()
  const d2 = dispatcher(ctx)
  d2.start()
  await waitFor('everything delivered', async () => (await pending(ctx.db)) === 0)
  assertChain(ctx.rx, 'a')
  assertChain(ctx.rx, 'b', 2)
  assertChain(ctx.rx, 'c', 1)
  assert.equal(ctx.rx.repeats, [])
  const total = await ctx.db.selectFrom('pickup_transitions').select('id').execute()
  assert.equal(new Set(ctx.rx.accepted.map((a) => a.delivery)), new Set(total.map((x) => x.id)))
})

t(
  'two requests interleaved: one refused does not hold the other, and neither goes out of order',
  async (ctx) => {
    ctx.rx.refuse = (n) => n.request.id === 'a'
    const d = dispatcher(ctx)
    d.start()
    for (const id of ['a', 'b', 'a', 'b', 'a', 'b']) await step(ctx.db, id)
    await waitFor('b delivered in full', async () => ctx.rx.of('b').length === 3)
    assertChain(ctx.rx, 'b')
    await waitFor(
      'a refused a few times',
      async () => ctx.rx.attempts.filter((x) => x.status === 503).length >= 3,
    )
    const firstOfA = (
      await ctx.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('request_id', '=', 'a')
        .orderBy(insertionOrder(ctx.db))
        .executeTakeFirstOrThrow()
    ).id
    // Every attempt for a so far was its first transition: the later two waited behind it.
    const triedForA = new Set(ctx.rx.attempts.filter((x) => x.status === 503).map((x) => x.delivery))
    assert.equal([...triedForA], [firstOfA])
    ctx.rx.refuse = undefined
    await waitFor('a delivered in full', async () => ctx.rx.of('a').length === 3)
    assertChain(ctx.rx, 'a')
    assert.equal(ctx.rx.repeats, [])
  },
)

t('delivered rows are pruned after the keep period; undelivered ones never', async (ctx) => {
  const old = Date.now() - 10 * 86_400_000
  const row = (id: string, delivered: number | null) => ({
    id,
    request_id: 'x',
    body: '{}',
    created_at: old,
    next_at: Date.now() + 3_600_000,
    delivered_at: delivered,
    last_status: null,
    last_error: null,
  })
  await ctx.db
    .insertInto('webhook_deliveries')
    .values([row('old-done', old), row('old-pending', null), row('new-done', Date.now())])
    .execute()
  const d = dispatcher(ctx, { keepDeliveredMs: 7 * 86_400_000 })
  d.start()
  await waitFor(
    'the old delivered row pruned',
    async () =>
      !(await ctx.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('id', '=', 'old-done')
        .executeTakeFirst()),
  )
  const left = (await ctx.db.selectFrom('webhook_deliveries').select('id').orderBy('id').execute()).map(
    (r) => r.id,
  )
  assert.equal(left, ['new-done', 'old-pending'])
})

t.run()
