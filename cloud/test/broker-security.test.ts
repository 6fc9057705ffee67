import { makeEnvelope, topics } from '@relais/hardware'
import mqtt from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const t = suite<{
  tc: TestCloud
  a: { username: string; secret: string }
  b: { username: string; secret: string }
}>('broker security')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await ctx.tc.household('home-a')
  await ctx.tc.household('home-b')
  ctx.a = await ctx.tc.agent('pi-a', 'home-a')
  ctx.b = await ctx.tc.agent('pi-b', 'home-b')
})
t.after(async (ctx) => ctx.tc.stop())

/** Connects and resolves with the CONNACK return code (0 = accepted). */
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

t('a wrong secret is refused with CONNACK 5 and the log does not contain it', async ({ tc, a }) => {
  const wrong = `${a.secret.slice(0, -4)}XXXX`
  const code = await connackCode(tc.cloud.mqttPort, { clientId: 'pi-a', username: 'pi-a', password: wrong })
  assert.is(code, 5)
  const line = tc.logs.find((l) => l.includes('connection refused') && l.includes('pi-a'))
  assert.ok(line, 'refusal logged with the agent id')
  assert.not.ok(
    tc.logs.some((l) => l.includes(wrong) || l.includes(a.secret)),
    'no secret in any log line',
  )
})

t('unknown agents, missing secrets and client ids other than the username are refused', async ({ tc, a }) => {
  const port = tc.cloud.mqttPort
  assert.is(await connackCode(port, { clientId: 'ghost', username: 'ghost', password: a.secret }), 5)
  assert.is(await connackCode(port, { clientId: 'pi-a', username: 'pi-a' }), 5)
  assert.is(await connackCode(port, { clientId: 'pi-b', username: 'pi-a', password: a.secret }), 5)
  assert.is(await connackCode(port, { clientId: 'pi-a', username: 'pi-a', password: a.secret }), 0)
})

t('a will must be the agent own retained offline status', async ({ tc, a }) => {
  const port = tc.cloud.mqttPort
  const offline = (agent: string) =>
    JSON.stringify(makeEnvelope({ agent, type: 'status', session: 's', seq: 0, data: { state: 'offline' } }))
  const base = { clientId: 'pi-a', username: 'pi-a', password: a.secret }
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: topics.status('pi-b'), payload: Buffer.from(offline('pi-b')), qos: 1, retain: true },
    }),
    5,
  )
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: topics.status('pi-a'), payload: Buffer.from('{}'), qos: 1, retain: true },
    }),
    5,
  )
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: topics.status('pi-a'), payload: Buffer.from(offline('pi-a')), qos: 1, retain: false },
    }),
    5,
  )
  assert.is(
    await connackCode(port, {
      ...base,
      will: { topic: topics.status('pi-a'), payload: Buffer.from(offline('pi-a')), qos: 1, retain: true },
    }),
    0,
  )
})

t('agent A cannot subscribe to B, to wildcards or to $SYS; its own inbox is granted', async ({ tc, a }) => {
  const c = await tc.connect('pi-a', 'pi-a', a.secret)
  // Read the SUBACK itself: mqtt.js turns any 0x80 into an error and hides the per-filter codes.
  const suback = new Promise<number[]>((resolve) =>
    c.on('packetreceive', (p) => {
      if (p.cmd === 'suback') resolve(p.granted as number[])
    }),
  )
  c.subscribe(
    [
      topics.config('pi-a'),
      'relais/v1/pi-a/cmd/+',
      topics.cmd('pi-a', 'ack', 'scanner-1'),
      topics.cmd('pi-b', 'ack', 'scanner-1'),
      topics.config('pi-b'),
      'relais/v1/+/config',
      'relais/v1/#',
      '#',
      '$SYS/#',
      topics.event('pi-a', 'scanner-1', 'scan'),
    ],
    { qos: 1 },
    () => {},
  )
  assert.equal(await suback, [1, 1, 1, 128, 128, 128, 128, 128, 128, 128])
  assert.ok(c.connected, 'a refused subscription keeps the connection')
  await c.endAsync()
})

t('agent A cannot publish as B nor to its own config or cmd; B sees nothing of it', async ({ tc, a, b }) => {
  const devB = new TestDevice(await tc.connect('pi-b', 'pi-b', b.secret), 'pi-b')
  await devB.subscribeAcks()
  const forbidden = [
    topics.event('pi-b', 'scanner-1', 'scan'),
    topics.config('pi-a'),
    topics.cmd('pi-a', 'ack', 'scanner-1'),
    '$SYS/broker/uptime',
    'elsewhere/topic',
  ]
  for (const topic of forbidden) {
    const c = await tc.connect('pi-a', 'pi-a', a.secret)
    const closed = new Promise<void>((r) => c.once('close', () => r()))
    const env = makeEnvelope({
      agent: 'pi-b',
      device: 'scanner-1',
      type: 'scan',
      session: 's',
      seq: 0,
      data: { code: '3017620422003' },
    })
    c.publish(topic, JSON.stringify(env), { qos: 1 })
    await closed
    assert.ok(true, `${topic}: connection closed`)
  }
  const c = await tc.connect('pi-a', 'pi-a', a.secret)
  const closed = new Promise<void>((r) => c.once('close', () => r()))
  c.publish(topics.event('pi-a', 'scanner-1', 'scan'), '{}', { qos: 1, retain: true })
  await closed
  await tc.cloud.ingest.drain()
  const items = await tc.cloud.db.selectFrom('items').selectAll().execute()
  assert.is(items.length, 0, 'nothing reached any list')
  assert.is(devB.acks.size, 0, 'B received no ack it did not ask for')
  // B is undisturbed by all of this.
  const r = await devB.scan('3017620422003')
  assert.is(r.ack.outcome, 'unknown_product')
})

t.run()
