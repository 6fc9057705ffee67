// ExternalBus (broker/external-bus.ts) on a real Mosquitto: RELAIS_BROKER_* validated with the variable
// named; each handler gets each message once even where subscriptions overlap (Mosquitto sends one copy
// per matching subscription, MQTT 5 section 3.3.4); `share` subscriptions split the messages between
// two buses of one group (section 4.8.2); publishing while the broker is away fails at once; a broker
// that comes back on its port gets the subscriptions again.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findMosquitto,
  MOSQUITTO_INSTALL,
  type Mosquitto,
  startMosquitto,
} from '../../scripts/testkit/mosquitto.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { ConfigError, loadConfig } from '../src/app/config.js'
import { ExternalBus } from '../src/broker/external-bus.js'
import { RelaisError } from '../src/lib/errors.js'
import { createLogger } from '../src/lib/logger.js'
import { configProblems } from './support/config.js'

const t = suite<{ broker: Mosquitto; buses: ExternalBus[] }>('external broker bus')
const run = serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) ? t : t.skip
const log = createLogger({ level: 'silent' })

t.before(async (ctx) => {
  ctx.buses = []
  if (findMosquitto() !== undefined) ctx.broker = await startMosquitto({ users: [], anonymous: true })
})
t.after.each(async (ctx) => {
  for (const b of ctx.buses.splice(0)) await b.stop()
})
t.after(async (ctx) => ctx.broker?.stop())

async function bus(ctx: { broker: Mosquitto; buses: ExternalBus[] }, clientId: string): Promise<ExternalBus> {
  const b = new ExternalBus({ url: ctx.broker.url, clientId, log, reconnectPeriodMs: 100 })
  await b.start()
  ctx.buses.push(b)
  return b
}

t('RELAIS_BROKER_* are checked at boot, each error naming its variable', () => {
  const problems = configProblems
  const ok = loadConfig({
    RELAIS_BROKER_URL: 'mqtts://broker.example:8883',
    RELAIS_BROKER_USERNAME: 'relais-cloud',
    RELAIS_BROKER_PASSWORD: 'pw',
  })
  assert.is(ok.broker?.url, 'mqtts://broker.example:8883')
  assert.match(ok.broker!.clientId, new RegExp(`^relais-cloud-.+-${process.pid}$`))
  assert.is(loadConfig({}).broker, undefined)
  assert.match(problems({ RELAIS_BROKER_URL: 'http://x:1883' }).join(), /RELAIS_BROKER_URL=http/)
  assert.match(problems({ RELAIS_BROKER_USERNAME: 'u' }).join(), /RELAIS_BROKER_USERNAME is set/)
  assert.match(
    problems({ RELAIS_BROKER_URL: 'mqtt://x', RELAIS_BROKER_PASSWORD: 'p' }).join(),
    /RELAIS_BROKER_PASSWORD is set: RELAIS_BROKER_USERNAME/,
  )
  assert.match(
    problems({ RELAIS_BROKER_URL: 'mqtt://x', RELAIS_BROKER_CLIENT_ID: 'a b' }).join(),
    /RELAIS_BROKER_CLIENT_ID=a b/,
  )
  assert.ok(problems({ RELAIS_BROKER_URL: 'mqtt://x' }).length === 0)
  assert.instance(new ConfigError(['x']), Error)
})

run('overlapping subscriptions: each handler gets each message once', async (ctx) => {
  const b = await bus(ctx, 'bus-overlap')
  const got: string[] = []
  await b.subscribe('relais/v1/+/health', (t) => got.push(`health ${t}`))
  await b.subscribe('relais/v1/#', (t) => got.push(`all ${t}`))
  await b.subscribe('relais/v1/#', (t) => got.push(`all-again ${t}`))
  await b.subscribe('relais/v1/+/+/event/+', (t) => got.push(`shared ${t}`), { share: true })
  await b.publish('relais/v1/a/health', '{}', { qos: 1, retain: false })
  await b.publish('relais/v1/a/s/event/scan', '{}', { qos: 1, retain: false })
  await waitFor('six deliveries', async () => got.length >= 6, 5000)
  await new Promise((r) => setTimeout(r, 200))
  assert.equal(got.sort(), [
    'all relais/v1/a/health',
    'all relais/v1/a/s/event/scan',
    'all-again relais/v1/a/health',
    'all-again relais/v1/a/s/event/scan',
    'health relais/v1/a/health',
    'shared relais/v1/a/s/event/scan',
  ])
})

run('shared subscriptions of two buses split the messages, none lost, none twice', async (ctx) => {
  const got = new Map<string, string[]>()
  const publisher = await bus(ctx, 'bus-pub')
  for (const id of ['bus-w1', 'bus-w2']) {
    const b = await bus(ctx, id)
    got.set(id, [])
    await b.subscribe('relais/v1/+/+/event/+', (_t, p) => got.get(id)!.push(p.toString()), { share: true })
  }
  for (let i = 0; i < 100; i++)
    await publisher.publish(`relais/v1/a/s/event/scan`, String(i), { qos: 1, retain: false })
  await waitFor('100 deliveries', async () => got.get('bus-w1')!.length + got.get('bus-w2')!.length >= 100)
  await new Promise((r) => setTimeout(r, 200))
  const all = [...got.get('bus-w1')!, ...got.get('bus-w2')!].map(Number).sort((x, y) => x - y)
  assert.equal(
    all,
    Array.from({ length: 100 }, (_, i) => i),
  )
  assert.ok(got.get('bus-w1')!.length > 0 && got.get('bus-w2')!.length > 0)
})

run('the broker goes away: publish fails at once; it comes back: subscriptions are restored', async (ctx) => {
  const b = await bus(ctx, 'bus-restart')
  const got: string[] = []
  await b.subscribe('relais/v1/+/+/event/+', (_t, p) => got.push(p.toString()), { share: true })
  const port = ctx.broker.port
  await ctx.broker.stop()
  await waitFor('the bus to notice', async () => !b.connected)
  const err = await b.publish('relais/v1/a/cmd/x', 'y', { qos: 1, retain: false }).catch((e: unknown) => e)
  assert.instance(err, RelaisError)
  assert.is((err as RelaisError).code, 'broker_unavailable')
  ctx.broker = await startMosquitto({ users: [], anonymous: true, port })
  await waitFor('the bus to reconnect', async () => b.connected, 10_000)
  assert.ok(b.reconnects > 0)
  await b.publish('relais/v1/a/s/event/scan', 'after', { qos: 1, retain: false })
  await waitFor('the event after the restart', async () => got.includes('after'), 5000)
})

t.run()
