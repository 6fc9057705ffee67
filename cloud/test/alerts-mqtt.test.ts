// Alerts over MQTT for ops tools: an integration account allowed to read relais/ops/alerts/# gets one
// retained message per open alert, also after a cloud restart (the broker's retained store is in memory,
// so the cloud publishes open alerts again at start), and an empty retained message when it clears.
import { filters } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { addAccount } from '../src/domains/accounts/accounts.js'
import { AlertFleet } from './support/alert-fleet.js'

const f = new AlertFleet({
  RELAIS_INGEST_WORKER: 'off',
  RELAIS_ALERT_OFFLINE_S: '0',
  RELAIS_OFFLINE_GRACE_S: '30',
})
const clients: MqttClient[] = []
type RetainedStore = { createRetainedStream(pattern: string): AsyncIterable<unknown> }

async function opsTool(port: number, account: { username: string; secret: string }) {
  const got: Array<{ topic: string; payload: string; retain: boolean }> = []
  const c = await mqtt.connectAsync({
    host: '127.0.0.1',
    port,
    clientId: `ops-tool-${clients.length}`,
    username: account.username,
    password: account.secret,
    reconnectPeriod: 0,
  })
  clients.push(c)
  c.on('message', (topic, payload, packet) =>
    got.push({ topic, payload: payload.toString(), retain: packet.retain }),
  )
  await c.subscribeAsync(filters.opsAlerts(), { qos: 1 })
  return got
}

async function retained(): Promise<number> {
  const persistence = (f.cloud.broker!.aedes as unknown as { persistence: RetainedStore }).persistence
  let n = 0
  for await (const _packet of persistence.createRetainedStream(filters.opsAlerts())) n++
  return n
}

test.after(async () => {
  for (const c of clients) c.end(true)
  for (const a of f.agents) a.kill()
  await f.cloud?.stop()
})

test('retained per open alert, again after a restart, emptied when it clears', async () => {
  let cloud = await f.boot()
  const [agent] = await f.provision(1, 'home')
  const account = await addAccount(cloud.db, {
    name: 'ops-tool',
    read: [filters.opsAlerts()],
    write: [],
    deny: [],
  })
  await agent!.connect(cloud.mqttPort)
  agent!.kill()
  await f.waitAll('will', [agent!], (r) => r.pendingDownAt !== null)
  await f.clock.advance(30_000)
  const topic = `relais/ops/alerts/offline/${agent!.agent}`

  const first = await opsTool(cloud.mqttPort, account)
  await waitFor('retained alert', async () => first.length === 1)
  assert.equal(
    [first[0]!.topic, first[0]!.retain, JSON.parse(first[0]!.payload).type],
    [topic, true, 'alert.raised'],
  )

  await cloud.stop()
  cloud = await f.boot()
  const second = await opsTool(cloud.mqttPort, account)
  await waitFor('retained alert after the restart', async () => second.length === 1)
  const alert = JSON.parse(second[0]!.payload).alert
  assert.equal(
    [alert.state, alert.repeats, alert.raisedAt],
    ['open', 0, JSON.parse(first[0]!.payload).alert.raisedAt],
  )

  assert.is(await retained(), 1)
  await agent!.connect(cloud.mqttPort)
  await f.waitAll('online', [agent!], (r) => r.state === 'online')
  await f.clock.advance(5000)
  await waitFor('cleared', async () => second.at(-1)?.payload === '')
  // The broker's retained store itself: nothing is left under the alerts' root (MQTT-3.3.1-10).
  assert.is(await retained(), 0, 'nothing retained once cleared')
})

test.run()
