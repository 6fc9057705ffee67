import { topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const NUTELLA = '3017620422003'
const NUTELLA_GTIN = '03017620422003'

const t = suite<{ tc: TestCloud; dev: TestDevice; other: TestDevice }>('scan ingest')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_SCAN_DEBOUNCE_MS: '3000' })
  await ctx.tc.household('home')
  await ctx.tc.household('flat')
  const a = await ctx.tc.agent('kitchen', 'home')
  const b = await ctx.tc.agent('fridge', 'flat')
  await ctx.tc.cloud.db
    .insertInto('products')
    .values({
      code: NUTELLA_GTIN,
      name: 'Nutella',
      brands: 'Ferrero',
      quantity: '400 g',
      image_url: null,
      categories: null,
      lang: 'fr',
      source: 'test',
      updated_at: 0,
    })
    .execute()
  ctx.dev = new TestDevice(await ctx.tc.connect('kitchen', 'kitchen', a.secret), 'kitchen')
  ctx.other = new TestDevice(await ctx.tc.connect('fridge', 'fridge', b.secret), 'fridge')
  await ctx.dev.subscribeAcks()
  await ctx.other.subscribeAcks()
})
t.after(async (ctx) => ctx.tc.stop())

const items = (tc: TestCloud) => tc.cloud.db.selectFrom('items').selectAll().orderBy('created_at').execute()

t('a known product is added, then incremented; the ack carries corr and the item', async ({ dev }) => {
  const first = await dev.scan(NUTELLA, { ts: 1_000_000 })
  assert.is(first.ack.outcome, 'added')
  assert.equal(first.ack.item, {
    id: (first.ack.item as { id: string }).id,
    code: NUTELLA,
    name: 'Nutella',
    quantity: 1,
    checked: false,
  })
  const ackEnv = dev.acks.get(first.id)!
  assert.is(ackEnv.corr, first.id)
  assert.is(ackEnv.type, 'ack')
  const second = await dev.scan(NUTELLA, { ts: 1_010_000 })
  assert.is(second.ack.outcome, 'incremented')
  assert.is((second.ack.item as { quantity: number }).quantity, 2)
})

t('the same event id twice is applied once; the replay repeats the outcome', async ({ tc, dev }) => {
  const env = dev.scanEnvelope(NUTELLA, { ts: 2_000_000 })
  const wait = dev.waitAck(env.id)
  await dev.publish(env)
  const firstAck = await wait
  dev.acks.delete(env.id)
  const again = dev.waitAck(env.id)
  await dev.publish(env)
  const replay = await again
  assert.is((firstAck.data as { outcome: string }).outcome, 'incremented')
  assert.equal(replay.data, { ...(firstAck.data as object), replayed: true })
  const [item] = await items(tc)
  assert.is(item!.quantity, 3)
})

t('identical scans within the debounce window count once, judged by source time', async ({ tc, dev }) => {
  const a = await dev.scan(NUTELLA, { ts: 3_000_000 })
  const b = await dev.scan(NUTELLA, { ts: 3_001_500 })
  const c = await dev.scan(NUTELLA, { ts: 3_004_000 })
  assert.equal([a.ack.outcome, b.ack.outcome, c.ack.outcome], ['incremented', 'duplicate', 'incremented'])
  const [item] = await items(tc)
  assert.is(item!.quantity, 5)
})

t('an unknown code becomes an unknown item and lands in the inbox', async ({ tc, dev }) => {
  const r = await dev.scan('96385074', { ts: 4_000_000 })
  assert.is(r.ack.outcome, 'unknown_product')
  assert.is((r.ack.item as { name: string | null }).name, null)
  const inbox = await tc.cloud.db.selectFrom('unknown_products').selectAll().execute()
  assert.equal(
    inbox.map((u) => [u.household_id, u.code, u.display_code, u.scans]),
    [['home', '00000096385074', '96385074', 1]],
  )
})

t('invalid barcodes and bad envelopes are rejected with a reason and change nothing', async ({ tc, dev }) => {
  const before = JSON.stringify(await items(tc))
  const bad = await dev.scan('3017620422004', { ts: 5_000_000 })
  assert.is(bad.ack.outcome, 'rejected')
  assert.is(bad.ack.reason, 'invalid_barcode')
  assert.match(String(bad.ack.detail), /check digit/)
  const empty = await dev.scan('', { ts: 5_000_001 })
  assert.equal([empty.ack.outcome, empty.ack.reason], ['rejected', 'invalid_data'])
  assert.match(String(empty.ack.detail), /^data\.code: /)
  const mismatch = dev.scanEnvelope(NUTELLA, { device: 'scanner-9' })
  const wait = dev.waitAck(mismatch.id)
  await dev.publish(mismatch)
  const ack = await wait
  assert.equal([ack.device, (ack.data as { reason: string }).reason], ['scanner-1', 'topic_mismatch'])
  assert.is(JSON.stringify(await items(tc)), before)
})

t(
  'malformed payloads are counted and logged with the agent; other agents are undisturbed',
  async ({ tc, dev, other }) => {
    const rejectedBefore = tc.cloud.ingest.metrics.rejectedTotal
    const topic = topics.event('kitchen', 'scanner-1', 'scan')
    await dev.publish('{not json', topic)
    await dev.publish(Buffer.alloc(20_000, 0x41).toString(), topic)
    await dev.publish(JSON.stringify({ v: 1 }), topic)
    const r = await other.scan(NUTELLA, { ts: 6_000_000 })
    assert.is(r.ack.outcome, 'added', 'the other household got its own first Nutella')
    assert.is(tc.cloud.ingest.metrics.rejectedTotal - rejectedBefore, 3)
    assert.ok(tc.logs.some((l) => l.includes('"code":"malformed_json"') && l.includes('"agent":"kitchen"')))
    assert.ok(tc.logs.some((l) => l.includes('"code":"payload_too_large"')))
    assert.ok(dev.client.connected, 'a bad payload does not cost the connection')
  },
)

t(
  'a flood of bad payloads is counted each time and logged once a minute per agent and reason',
  async (ctx) => {
    const { tc, other } = ctx
    const rejectedBefore = tc.cloud.ingest.metrics.rejectedTotal
    const fridgeLines = () =>
      tc.logs.filter((l) => l.includes('"code":"malformed_json"') && l.includes('"agent":"fridge"'))
    assert.is(fridgeLines().length, 0)
    const topic = topics.event('fridge', 'scanner-1', 'scan')
    for (let i = 0; i < 100; i++) await other.publish('{not json', topic)
    // Same connection, so by this ack every bad payload before it has been handled.
    const r = await other.scan(NUTELLA, { ts: 6_500_000 })
    assert.is(r.ack.outcome, 'incremented')
    assert.is(tc.cloud.ingest.metrics.rejectedTotal - rejectedBefore, 100)
    assert.is(fridgeLines().length, 1, 'the first one is logged, the next 99 only counted')
  },
)

t('an event stamped a day ahead of the cloud clock is applied at its arrival, and counted', async (ctx) => {
  const { tc, other } = ctx
  const before = Date.now()
  const future = await other.scan(NUTELLA, { ts: before + 86_400_000 })
  assert.ok(['added', 'incremented'].includes(future.ack.outcome), future.ack.outcome)
  const itemId = (future.ack.item as { id: string }).id
  const lastScan = async () =>
    (
      await tc.cloud.db
        .selectFrom('items')
        .select('last_scan_at')
        .where('id', '=', itemId)
        .executeTakeFirstOrThrow()
    ).last_scan_at
  const at = await lastScan()
  assert.ok(at! >= before && at! <= Date.now(), String(at))
  assert.is(tc.cloud.ingest.metrics.futureTimes, 1)
  const logged = () => tc.logs.filter((l) => l.includes('ahead of the cloud clock')).length
  assert.ok(tc.logs.some((l) => l.includes('ahead of the cloud clock') && l.includes('"agent":"fridge"')))
  // A clock set wrong stamps every event: counted each time, logged once a minute per agent.
  for (let i = 1; i <= 3; i++) await other.scan(NUTELLA, { ts: Date.now() + 86_400_000 + i })
  assert.is(tc.cloud.ingest.metrics.futureTimes, 4)
  assert.is(logged(), 1)
  // A time within the allowed skew is kept as sent.
  const soon = before + 60_000
  await other.scan(NUTELLA, { ts: soon })
  assert.is(await lastScan(), soon)
  assert.is(tc.cloud.ingest.metrics.futureTimes, 4)
})

t('a checked item scanned again comes back with quantity 1', async ({ tc, dev }) => {
  await tc.cloud.db.updateTable('items').set({ checked: 1 }).where('code', '=', NUTELLA_GTIN).execute()
  const r = await dev.scan(NUTELLA, { ts: 7_000_000 })
  assert.is(r.ack.outcome, 'added')
  assert.equal((r.ack.item as { quantity: number; checked: boolean }).quantity, 1)
})

t.run()
