// Who reaches the Home Assistant bridge's topics on the broker: agents neither read them nor write them
// (an agent's inbox is its own config and commands, DESIGN.md security), and an integration account given
// README's patterns reads discovery, the bridge's states and the agents' status, and nothing else.
import type { MqttClient } from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { haAccount } from './support/ha.js'
import { startTestCloud, type TestCloud } from './support/harness.js'

const t = suite<{ tc: TestCloud; agent: string; ha: string }>('Home Assistant topics on the broker')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_HA_DISCOVERY: 'on' })
  await ctx.tc.household('home')
  ctx.agent = (await ctx.tc.agent('kitchen', 'home')).secret
  ctx.ha = await haAccount(ctx.tc)
})
t.after(async (ctx) => ctx.tc.stop())

/** Subscribes and resolves with the SUBACK's codes (MQTT.js hides a 0x80 behind an error). */
function suback(c: MqttClient, filters: string[]): Promise<number[]> {
  const got = new Promise<number[]>((resolve) =>
    c.once('packetreceive', function on(p) {
      if (p.cmd === 'suback') resolve(p.granted as number[])
      else c.once('packetreceive', on)
    }),
  )
  c.subscribe(filters, { qos: 1 }, () => {})
  return got
}

const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()))

t('an agent may not subscribe to discovery or the bridge states', async ({ tc, agent }) => {
  const c = await tc.connect('kitchen', 'kitchen', agent)
  assert.equal(
    await suback(c, ['homeassistant/#', 'relais/ha/#', 'relais/ha/agents/kitchen/#']),
    [128, 128, 128],
  )
  await c.endAsync()
})

t(
  "an agent publishing HA's birth or a bridge state is disconnected (MQTT-3.3.5-2)",
  async ({ tc, agent }) => {
    for (const topic of ['homeassistant/status', 'relais/ha/agents/kitchen/scanner-1/press']) {
      const c = await tc.connect('kitchen', 'kitchen', agent)
      const end = closed(c)
      c.publish(topic, 'online', { qos: 1 })
      await end
    }
    assert.ok(tc.logs.some((l) => l.includes('publish refused') && l.includes('homeassistant/status')))
  },
)

t("README's Home Assistant account reads discovery, states and status, and no events", async ({ tc, ha }) => {
  const c = await tc.connect('ha-1', 'home-assistant', ha)
  const codes = await suback(c, [
    'homeassistant/#',
    'relais/ha/#',
    'relais/v1/+/status',
    'relais/v1/+/+/event/+',
    'relais/v1/#',
  ])
  assert.equal(codes, [1, 1, 1, 128, 128])
  const got = new Promise<string>((resolve) =>
    c.on('message', (topic, p) => topic === 'relais/ha/bridge/status' && resolve(p.toString())),
  )
  assert.is(await got, 'online', 'the retained bridge status is delivered')
  // It writes HA's own birth, and nothing of the bridge's.
  await c.publishAsync('homeassistant/status', 'online', { qos: 1 })
  const end = closed(c)
  c.publish('relais/ha/agents/kitchen/scanner-1/press', 'single', { qos: 1 })
  await end
})

t.run()
