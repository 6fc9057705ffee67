// What Home Assistant reads once entities exist: a scan updates the scanner's last scan (the product's
// name once the cloud applied it), a press fires its trigger once however often it was sent and shows
// the pickup, and an enter and a leave move the zone's count. Each value is read through the config's
// own template, as HA would.
import { makeEnvelope, topics } from '@relais/hardware'
import * as assert from 'uvu/assert'
import { evalTemplate } from './support/ha.js'
import { CONFIG, haSuite, NUTELLA } from './support/ha-fleet.js'
import type { TestDevice } from './support/harness.js'
import { enterEnvelope, KEY_A, leaveEnvelope, send } from './support/presence.js'

const t = haSuite('Home Assistant states')

async function config(f: { ha: { waitTopic(t: string): Promise<string> } }, topic: string) {
  return JSON.parse(await f.ha.waitTopic(topic)) as Record<string, string>
}

function pressEnvelope(dev: TestDevice, press: 'single' | 'double' | 'long') {
  return makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'press',
    session: 's',
    seq: 0,
    data: { press },
  })
}

async function sendPress(dev: TestDevice, env: ReturnType<typeof pressEnvelope>) {
  const wait = dev.waitAck(env.id)
  await dev.publish(env, topics.event(dev.agent, dev.device, 'press'))
  return (await wait).data as { outcome: string; replayed?: boolean }
}

t("a scan shows the product's name and the scan's time", async ({ f }) => {
  const name = await config(f, CONFIG.lastScan)
  const at = await config(f, CONFIG.lastScanAt)
  const before = Date.now()
  const { ack } = await f.scanner.scan(NUTELLA)
  assert.is(ack.outcome, 'added')
  const state = await f.ha.waitTopic(name.state_topic!, (p) => p !== '')
  assert.is(evalTemplate(name.value_template!, state), 'Nutella')
  const when = Date.parse(evalTemplate(at.value_template!, state) as string)
  assert.ok(when >= before - 1000 && when <= Date.now(), 'the scan time, in ISO 8601')
  assert.is(JSON.parse(state).code, NUTELLA)
})

t('a scan in remove mode shows too, with its outcome', async ({ f }) => {
  const name = await config(f, CONFIG.lastScan)
  const { ack } = await f.scanner.scan(NUTELLA, {}, { mode: 'remove' })
  assert.is(ack.outcome, 'removed')
  const state = await f.ha.waitTopic(name.state_topic!, (p) => JSON.parse(p).outcome === 'removed')
  assert.is(evalTemplate(name.value_template!, state), 'Nutella')
})

t('a code the catalogue does not know shows as the code', async ({ f }) => {
  const name = await config(f, CONFIG.lastScan)
  const { ack } = await f.scanner.scan('4006381333931')
  assert.is(ack.outcome, 'unknown_product')
  const state = await f.ha.waitTopic(name.state_topic!, (p) => p.includes('4006381333931'))
  assert.is(evalTemplate(name.value_template!, state), '4006381333931')
})

t('a press fires its trigger once, even when its device sends it again', async ({ f }) => {
  const single = await config(f, CONFIG.trigger('single'))
  const double = await config(f, CONFIG.trigger('double'))
  const pickup = await config(f, CONFIG.pickup)
  const first = pressEnvelope(f.button, 'single')
  assert.is((await sendPress(f.button, first)).outcome, 'pickup_requested')
  const state = await f.ha.waitTopic(pickup.state_topic!, (p) => p.includes('requested'))
  assert.is(evalTemplate(pickup.value_template!, state), 'requested')
  // The same event again (a lost ack, say): the cloud answers it as replayed, and HA hears nothing new.
  f.button.acks.delete(first.id)
  assert.is((await sendPress(f.button, first)).replayed, true)
  // A later press: its trigger arrives after anything the replay could have caused.
  assert.is((await sendPress(f.button, pressEnvelope(f.button, 'double'))).outcome, 'pickup_status')
  const fired = await f.ha.waitFor(() => {
    const got = f.ha.log.filter((m) => m.topic === single.topic).map((m) => m.payload)
    return got.includes('double') ? got : undefined
  }, 'the double press')
  assert.equal(fired, [single.payload, double.payload])
  assert.ok(
    f.ha.log.every((m) => m.topic !== single.topic || !m.retain),
    'triggers are not retained',
  )
})

t('a long press cancels, and the pickup sensor says so', async ({ f }) => {
  const pickup = await config(f, CONFIG.pickup)
  await sendPress(f.button, pressEnvelope(f.button, 'long'))
  const state = await f.ha.waitTopic(pickup.state_topic!, (p) => p.includes('cancelled'))
  assert.is(evalTemplate(pickup.value_template!, state), 'cancelled')
})

t('an enter and a leave move the zone count, and nothing names who', async ({ f }) => {
  const count = await config(f, CONFIG.zoneCount)
  const occupied = await config(f, CONFIG.zoneOccupied)
  const enter = enterEnvelope(f.reader.device, KEY_A, 'shop')
  assert.is((await send(f.reader.device, enter)).outcome, 'recorded')
  const inside = await f.ha.waitTopic(count.state_topic!, (p) => JSON.parse(p).count === 1)
  assert.equal(JSON.parse(inside), { count: 1, occupied: 'ON' })
  assert.is(evalTemplate(count.value_template!, inside), 1)
  assert.is(evalTemplate(occupied.value_template!, inside), occupied.payload_on)
  const leave = leaveEnvelope(f.reader.device, KEY_A, 'shop', enter.data.at)
  assert.is((await send(f.reader.device, leave)).outcome, 'recorded')
  const outside = await f.ha.waitTopic(count.state_topic!, (p) => JSON.parse(p).count === 0)
  assert.is(evalTemplate(occupied.value_template!, outside), occupied.payload_off)
  for (const m of f.ha.log) assert.not.ok(m.payload.includes(KEY_A), `${m.topic} names no beacon`)
})

t.run()
