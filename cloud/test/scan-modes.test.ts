// Remove and undo, as the scanner's mode codes send them: the cloud applies the mode and answers it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const NUTELLA = '3017620422003'
const t = suite<{ tc: TestCloud; dev: TestDevice; other: TestDevice }>('scan modes')
let ts = 1_000_000
const at = () => {
  ts += 10_000
  return { ts }
}

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await ctx.tc.household('home')
  const a = await ctx.tc.agent('kitchen', 'home')
  const b = await ctx.tc.agent('garage', 'home')
  ctx.dev = new TestDevice(await ctx.tc.connect('kitchen', 'kitchen', a.secret), 'kitchen')
  ctx.other = new TestDevice(await ctx.tc.connect('garage', 'garage', b.secret), 'garage')
  await ctx.dev.subscribeAcks()
  await ctx.other.subscribeAcks()
})
t.after(async (ctx) => ctx.tc.stop())

const quantity = async (tc: TestCloud) => {
  const row = await tc.cloud.db.selectFrom('items').select(['quantity', 'checked']).executeTakeFirst()
  return row === undefined ? undefined : [row.quantity, row.checked]
}

t(
  'remove lowers the quantity, then checks the item off; nothing left is not_on_list',
  async ({ tc, dev }) => {
    await dev.scan(NUTELLA, at())
    await dev.scan(NUTELLA, at())
    assert.equal(await quantity(tc), [2, 0])
    const r1 = await dev.scan(NUTELLA, at(), { mode: 'remove' })
    assert.equal([r1.ack.outcome, (r1.ack.item as { quantity: number }).quantity], ['removed', 1])
    const r2 = await dev.scan(NUTELLA, at(), { mode: 'remove' })
    assert.equal([r2.ack.outcome, (r2.ack.item as { checked: boolean }).checked], ['removed', true])
    assert.equal(await quantity(tc), [1, 1])
    const r3 = await dev.scan(NUTELLA, at(), { mode: 'remove' })
    assert.is(r3.ack.outcome, 'not_on_list')
    const r4 = await dev.scan('96385074', at(), { mode: 'remove' })
    assert.is(r4.ack.outcome, 'not_on_list')
  },
)

t(
  'undo reverses that device own last changes, one step at a time, keeping what another did',
  async ({ tc, dev, other }) => {
    // dev so far: created (1), +1 (2), -1 (1), checked off. Undo the check-off:
    const u1 = await dev.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.equal([u1.ack.outcome, (u1.ack.item as { checked: boolean }).checked], ['undone', false])
    assert.equal(await quantity(tc), [1, 0])
    await other.scan(NUTELLA, at())
    assert.equal(await quantity(tc), [2, 0], 'the other scanner adds one')
    const u2 = await dev.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.equal([u2.ack.outcome, await quantity(tc)], ['undone', [3, 0]], 'the -1 is taken back')
    const u3 = await dev.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.equal([u3.ack.outcome, await quantity(tc)], ['undone', [2, 0]], 'the +1 is taken back')
    const u4 = await dev.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.equal(
      [u4.ack.outcome, await quantity(tc)],
      ['undone', [1, 0]],
      'the creation, but the other scanner one stays',
    )
    const u5 = await dev.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.is(u5.ack.outcome, 'nothing_to_undo')
    const u6 = await other.scan('RELAIS-UNDO', at(), { mode: 'undo' })
    assert.equal(
      [u6.ack.outcome, await quantity(tc)],
      ['undone', undefined],
      'the last one gone: the item goes',
    )
  },
)

t('an undo replayed with the same id is applied once', async ({ tc, dev }) => {
  await dev.scan(NUTELLA, at())
  await dev.scan(NUTELLA, at())
  const env = dev.scanEnvelope('RELAIS-UNDO', at(), { mode: 'undo' })
  const w = dev.waitAck(env.id)
  await dev.publish(env)
  await w
  dev.acks.delete(env.id)
  const w2 = dev.waitAck(env.id)
  await dev.publish(env)
  assert.is(((await w2).data as { replayed?: boolean }).replayed, true)
  assert.equal(await quantity(tc), [1, 0])
})

t.run()
