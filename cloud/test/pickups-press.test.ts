// Button presses become pickup requests: one open request per button, a repeat press returns it,
// a long press cancels it, a double press shows it again; every transition is kept.
import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { addAgent } from '../src/domains/agents/agents.js'
import { createSite } from '../src/domains/sites/sites.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const t = suite<{ tc: TestCloud; button: TestDevice }>('pickup button presses')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await createSite(ctx.tc.cloud.db, {
    id: 'rue-de-rivoli-12',
    address: '12 rue de Rivoli, Paris',
    lat: 48.8556,
    lon: 2.3601,
  })
  const a = await addAgent(ctx.tc.cloud.db, { id: 'letterbox-12', siteId: 'rue-de-rivoli-12' })
  ctx.button = new TestDevice(
    await ctx.tc.connect('letterbox-12', 'letterbox-12', a.secret),
    'letterbox-12',
    'button',
  )
  await ctx.button.subscribeAcks()
})
t.after(async (ctx) => ctx.tc.stop())

async function press(dev: TestDevice, kind: 'single' | 'double' | 'long') {
  const env = makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'press',
    session: 's',
    seq: 0,
    data: { press: kind },
  })
  const wait = dev.waitAck(env.id)
  await dev.publish(env, topics.event(dev.agent, dev.device, 'press'))
  const d = (await wait).data as {
    outcome: string
    reason?: string
    detail?: string
    pickup?: { id: string; state: string }
  }
  return d
}

t('a press requests a pickup; pressing again returns the same request', async ({ tc, button }) => {
  const first = await press(button, 'single')
  assert.equal([first.outcome, first.pickup?.state], ['pickup_requested', 'requested'])
  const again = await press(button, 'single')
  assert.equal([again.outcome, again.pickup?.id], ['pickup_open', first.pickup?.id])
  const rows = await tc.cloud.db.selectFrom('pickup_requests').selectAll().execute()
  assert.is(rows.length, 1)
})

t(
  'a double press shows the request; a long press cancels it; the history is kept',
  async ({ tc, button }) => {
    const status = await press(button, 'double')
    assert.equal([status.outcome, status.pickup?.state], ['pickup_status', 'requested'])
    const cancelled = await press(button, 'long')
    assert.equal([cancelled.outcome, cancelled.pickup?.state], ['pickup_cancelled', 'cancelled'])
    const none = await press(button, 'long')
    assert.is(none.outcome, 'no_open_pickup')
    const shown = await press(button, 'double')
    assert.equal(
      [shown.outcome, shown.pickup?.state],
      ['pickup_status', 'cancelled'],
      'the last request of the day is shown',
    )
    const next = await press(button, 'single')
    assert.ok(next.pickup?.id !== status.pickup?.id, 'after a cancel, a press opens a new request')
    const transitions = await tc.cloud.db
      .selectFrom('pickup_transitions')
      .select(['from_state', 'to_state', 'by'])
      .orderBy('at')
      .orderBy('id')
      .execute()
    assert.equal(
      transitions.map((x) => [x.from_state, x.to_state]),
      [
        [null, 'requested'],
        ['requested', 'cancelled'],
        [null, 'requested'],
      ],
    )
    assert.ok(transitions.every((x) => x.by === 'letterbox-12/button'))
  },
)

t('a scanner agent pressing is refused: it is at no site', async ({ tc }) => {
  await tc.household('home')
  const a = await tc.agent('kitchen', 'home')
  const dev = new TestDevice(await tc.connect('kitchen', 'kitchen', a.secret), 'kitchen', 'button')
  await dev.subscribeAcks()
  const r = await press(dev, 'single')
  assert.equal([r.outcome], ['rejected'])
})

t.run()
