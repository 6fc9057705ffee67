// Webhooks end to end in a real cloud (RELAIS_WEBHOOK_URL set): presses over MQTT and the round service
// make transitions, each queued in its transaction; the receiver refuses at first, then goes away; the
// cloud is restarted in the middle with notices still queued; the receiver comes back. Every transition
// arrives signed, once, and in order per request.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { makeEnvelope, topics } from '@relais/hardware'
import mqtt from 'mqtt'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { Cloud } from '../src/app/cloud.js'
import { loadConfig } from '../src/app/config.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { createCourier } from '../src/domains/couriers/couriers.js'
import { createDepot } from '../src/domains/depots/depots.js'
import { createSite } from '../src/domains/sites/sites.js'
import { databaseEnv } from './support/database.js'
import { TestDevice } from './support/harness.js'
import { WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'cloud-test-secret-0123456789'
const t = suite('webhooks: a real cloud, restarted mid-queue')

async function startCloud(dataDir: string, url: string): Promise<Cloud> {
  const config = loadConfig({
    RELAIS_DATA_DIR: dataDir,
    ...(await databaseEnv(dataDir)),
    RELAIS_MQTT_PORT: '0',
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: '0',
    RELAIS_HTTP_HOST: '127.0.0.1',
    RELAIS_TZ: 'Europe/Paris',
    RELAIS_WEBHOOK_URL: url,
    RELAIS_WEBHOOK_SECRET: SECRET,
  })
  const cloud = new Cloud(config, pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() })))
  await cloud.start()
  return cloud
}

async function button(cloud: Cloud, secret: string): Promise<TestDevice> {
  const client = await mqtt.connectAsync({
    host: '127.0.0.1',
    port: cloud.mqttPort,
    clientId: 'box-1',
    username: 'box-1',
    password: secret,
    reconnectPeriod: 0,
  })
  const dev = new TestDevice(client, 'box-1', 'button')
  await dev.subscribeAcks()
  return dev
}

async function press(dev: TestDevice, press: 'single' | 'long'): Promise<string> {
  const env = makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'press',
    session: 's',
    seq: 0,
    data: { press },
  })
  const wait = dev.waitAck(env.id, 20_000)
  await dev.publish(env, topics.event(dev.agent, dev.device, 'press'))
  return ((await wait).data as { outcome: string }).outcome
}

t(
  'every transition is delivered once, signed and in order per request, across refusals, an outage and a restart',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'relais-webhooks-cloud-'))
    const rx = new WebhookReceiver(SECRET)
    await rx.start()
    rx.failNext = 2
    let cloud = await startCloud(dataDir, rx.url)
    let dev: TestDevice | undefined
    try {
      const db = () => cloud.db
      await createDepot(db(), { id: 'depot', address: '1 rue Oberkampf', lat: 48.8649, lon: 2.3738 })
      await createCourier(db(), { id: 'ana', depotId: 'depot', shift: '00:00-24:00' })
      await createSite(db(), { id: 'rivoli', address: '12 rue de Rivoli', lat: 48.8556, lon: 2.3601 })
      const agent = await addAgent(db(), { id: 'box-1', siteId: 'rivoli' })
      dev = await button(cloud, agent.secret)

      assert.is(await press(dev, 'single'), 'pickup_requested')
      assert.is(await press(dev, 'long'), 'pickup_cancelled')
      assert.is(await press(dev, 'single'), 'pickup_requested')
      await waitFor('the first notices through', async () => rx.accepted.length >= 1, 30_000)

      await rx.stop() // the receiver goes away
      assert.is(await press(dev, 'long'), 'pickup_cancelled')
      assert.is(await press(dev, 'single'), 'pickup_requested')
      const queued = async () =>
        Number(
          (
            await db()
              .selectFrom('webhook_deliveries')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('delivered_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        )
      await waitFor('notices queued while the receiver is gone', async () => (await queued()) >= 2, 30_000)

      // The cloud restarts with notices still queued; the button reconnects to the new broker port.
      await dev.client.endAsync(true)
      dev = undefined
      await cloud.stop()
      cloud = await startCloud(dataDir, rx.url)
      dev = await button(cloud, agent.secret)
      assert.is(await press(dev, 'long'), 'pickup_cancelled')

      await rx.start() // back on the same port
      const transitions = await db()
        .selectFrom('pickup_transitions')
        .select(['id', 'request_id', 'from_state', 'to_state'])
        .execute()
      await waitFor(
        'every transition delivered',
        async () => (await queued()) === 0 && rx.accepted.length >= transitions.length,
        90_000,
      )
      const all = await db().selectFrom('pickup_transitions').select(['id', 'request_id']).execute()
      assert.equal(new Set(rx.accepted.map((a) => a.delivery)), new Set(all.map((x) => x.id)), 'none lost')
      assert.is(rx.accepted.length, all.length, 'none twice')
      assert.equal(rx.repeats, [])
      assert.equal(rx.rejected, [], 'every signature checked out')
      const requests = [...new Set(all.map((x) => x.request_id))]
      assert.is(requests.length, 3)
      for (const id of requests) {
        const got = rx.of(id)
        assert.is(got[0]?.from, null, `${id} starts with its creation`)
        for (let i = 1; i < got.length; i++)
          assert.is(got[i]!.from, got[i - 1]!.to, `${id}: ${JSON.stringify(got)}`)
        assert.is(got.at(-1)?.to, 'cancelled')
        assert.is(got.length, all.filter((x) => x.request_id === id).length)
      }
    } finally {
      await dev?.client.endAsync(true).catch(() => {})
      await cloud.stop()
      await rx.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  },
)

t.run()
