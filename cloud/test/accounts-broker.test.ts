// Integration accounts on the real broker with MQTT.js clients: what they may read and write, SUBACK 0x80
// for a filter they may not have (the connection stays), a forbidden publish ends the connection
// (MQTT-3.3.5-2), $SYS stays closed, agent ids stay the agents', MQTT-3.1.3-8, and a revoke ends a
// live session.
import { makeEnvelope, topics } from '@relais/hardware'
import type { MqttClient } from 'mqtt'
import mqtt from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { addAccount, revokeAccount } from '../src/domains/accounts/accounts.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { rawConnack } from './support/mqtt-raw.js'

const t = suite<{ tc: TestCloud; ha: string; agent: string; all: string }>('accounts on the broker')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_CREDENTIALS_POLL_MS: '50' })
  await ctx.tc.household('home')
  ctx.agent = (await ctx.tc.agent('kitchen', 'home')).secret
  const db = ctx.tc.cloud.db
  ctx.ha = (
    await addAccount(db, {
      name: 'home-assistant',
      read: ['relais/v1/+/status', 'relais/v1/+/health', 'ha/#'],
      write: ['ha/+/set'],
      deny: ['ha/private/#'],
    })
  ).secret
  ctx.all = (await addAccount(db, { name: 'telegraf', read: ['#'], write: [], deny: [] })).secret
})
t.after(async (ctx) => ctx.tc.stop())

function connackCode(port: number, opts: mqtt.IClientOptions): Promise<number> {
  return new Promise((resolve) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, connectTimeout: 5000, ...opts })
    c.on('connect', () => {
      c.end(true)
      resolve(0)
    })
    c.on('error', (err) => {
      c.end(true)
      resolve((err as { code?: number }).code ?? -1)
    })
  })
}

const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()))
function nextMessage(c: MqttClient, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (t: string, p: Buffer) => {
      if (t !== topic) return
      c.off('message', on)
      resolve(p.toString())
    }
    c.on('message', on)
  })
}

/** Subscribes and resolves with the SUBACK's codes: mqtt.js turns any 0x80 into an error and hides them. */
function suback(c: MqttClient, filters: string[], qos: 0 | 1): Promise<number[]> {
  const got = new Promise<number[]>((resolve) =>
    c.once('packetreceive', function on(p) {
      if (p.cmd === 'suback') resolve(p.granted as number[])
      else c.once('packetreceive', on)
    }),
  )
  c.subscribe(filters, { qos }, () => {})
  return got
}

t(
  'an account connects with a client id of its own and gets exactly the filters it may read',
  async ({ tc, ha }) => {
    const c = await tc.connect('ha-1234', 'home-assistant', ha)
    const filters = [
      'relais/v1/+/health',
      'ha/lights/#',
      'relais/v1/#',
      'ha/#',
      '$SYS/#',
      'relais/v1/+/+/event/scan',
    ]
    assert.equal(await suback(c, filters, 1), [1, 1, 128, 128, 128, 128])
    // Still connected after the refusals: a refused filter is answered in SUBACK, not by a disconnect.
    assert.ok(c.connected)
    const got = nextMessage(c, 'ha/lights/state')
    const writer = await tc.connect('telegraf-w', 'telegraf', 'wrong').catch(() => undefined)
    assert.is(writer, undefined, 'a wrong secret is refused')
    await tc.cloud.bus.publish('ha/lights/state', 'on', { qos: 1, retain: false })
    assert.is(await got, 'on', 'the granted filter delivers')
    await c.endAsync()
  },
)

t('an account reads what an agent publishes within its patterns', async ({ tc, ha, agent }) => {
  const c = await tc.connect('ha-reads', 'home-assistant', ha)
  await c.subscribeAsync('relais/v1/+/health', { qos: 0 })
  const got = nextMessage(c, topics.health('kitchen'))
  const pi = await tc.connect('kitchen', 'kitchen', agent)
  const health = makeEnvelope({
    agent: 'kitchen',
    type: 'health',
    session: 's',
    seq: 0,
    data: { outbox_depth: 3 },
  })
  await pi.publishAsync(topics.health('kitchen'), JSON.stringify(health), { qos: 0, retain: true })
  assert.is((JSON.parse(await got) as { data: { outbox_depth: number } }).data.outbox_depth, 3)
  await pi.endAsync()
  await c.endAsync()
})

t(
  'a publish under a write pattern is delivered; one outside it or under a deny ends the connection',
  async ({ tc, ha, all }) => {
    const reader = await tc.connect('telegraf-1', 'telegraf', all)
    await reader.subscribeAsync('ha/#', { qos: 1 })
    const got = nextMessage(reader, 'ha/kitchen/set')
    const w = await tc.connect('ha-w', 'home-assistant', ha)
    await w.publishAsync('ha/kitchen/set', 'on', { qos: 1 })
    assert.is(await got, 'on')

    for (const topic of ['ha/kitchen/state', 'relais/v1/kitchen/scanner-1/event/scan', '$SYS/x']) {
      const bad = await tc.connect(`ha-bad-${topic.length}`, 'home-assistant', ha)
      const end = closed(bad)
      bad.publish(topic, 'x', { qos: 1 })
      await end
    }
    const denied = await tc.connect('ha-denied', 'home-assistant', ha)
    const end = closed(denied)
    // ha/private/set matches the write pattern ha/+/set and the deny ha/private/#: deny wins.
    denied.publish('ha/private/set', 'x', { qos: 1 })
    await end
    assert.ok(tc.logs.some((l) => l.includes('publish refused') && l.includes('home-assistant')))
    await reader.endAsync()
    await w.endAsync()
  },
)

t('$SYS stays closed to an account that reads #', async ({ tc, all }) => {
  const c = await tc.connect('telegraf-sys', 'telegraf', all)
  assert.equal(await suback(c, ['$SYS/#', '$SYS/+/heartbeat', '#'], 0), [128, 128, 0])
  // '#' does not reach '$' topics either (MQTT-4.7.2-1): the first message it gets is the one published
  // after the $SYS one, on the same broker, in order.
  // (Retained messages from earlier tests arrive on subscribing; they are not what is looked at.)
  const first = new Promise<string>((resolve) =>
    c.on('message', (topic, _p, packet) => {
      if (!packet.retain) resolve(topic)
    }),
  )
  await tc.cloud.bus.publish('$SYS/relais-test/secret', 'x', { qos: 0, retain: false })
  await tc.cloud.bus.publish('plain/after', 'y', { qos: 0, retain: false })
  assert.is(await first, 'plain/after')
  await c.endAsync()
})

t('accounts cannot use agent ids: not as username, not as client id', async ({ tc, ha, agent }) => {
  const db = tc.cloud.db
  try {
    await addAccount(db, { name: 'kitchen', read: ['ha/#'], write: [], deny: [] })
    assert.unreachable('an account named like an agent')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'conflict')
  }
  try {
    await addAgent(db, { id: 'home-assistant', householdId: 'home' })
    assert.unreachable('an agent named like an account')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'conflict')
  }
  // MQTT-3.1.4-2 would let a CONNECT with the agent's client id take over its session.
  const pi = await tc.connect('kitchen', 'kitchen', agent)
  const code = await connackCode(tc.cloud.mqttPort, {
    clientId: 'kitchen',
    username: 'home-assistant',
    password: ha,
  })
  assert.is(code, 2)
  assert.ok(pi.connected, 'the agent kept its session')
  await pi.endAsync()
})

t(
  'a zero-length client id is refused with clean session off, accepted with it on (MQTT-3.1.3-8)',
  async ({ tc, ha }) => {
    const port = tc.cloud.mqttPort
    const creds = { username: 'home-assistant', password: ha }
    assert.is(await rawConnack(port, { clientId: '', clean: false, ...creds }), 2)
    assert.is(await rawConnack(port, { clientId: '', clean: true, ...creds }), 0)
    assert.is(
      await rawConnack(port, { clientId: '', clean: true, username: 'home-assistant', password: 'x' }),
      5,
    )
  },
)

t('a will must be a topic the account may write', async ({ tc, ha }) => {
  const port = tc.cloud.mqttPort
  const base = { clientId: 'ha-will', username: 'home-assistant', password: ha }
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: 'ha/x/state', payload: Buffer.from('gone'), qos: 0, retain: false },
    }),
    5,
  )
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: 'ha/x/set', payload: Buffer.from('gone'), qos: 0, retain: false },
    }),
    0,
  )
})

t('a revoked account is disconnected at once and cannot come back', async ({ tc }) => {
  const db = tc.cloud.db
  const { secret } = await addAccount(db, { name: 'node-red', read: ['nr/#'], write: ['nr/#'], deny: [] })
  const c = await tc.connect('node-red-1', 'node-red', secret)
  const end = closed(c)
  await revokeAccount(db, 'node-red')
  await end
  assert.is(
    await connackCode(tc.cloud.mqttPort, { clientId: 'node-red-2', username: 'node-red', password: secret }),
    5,
  )
  assert.ok(
    tc.logs.some((l) => l.includes('session closed: its credentials changed') && l.includes('node-red')),
  )
  assert.not.ok(
    tc.logs.some((l) => l.includes(secret)),
    'no secret in the logs',
  )
})

t.run()
