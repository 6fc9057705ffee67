// Domain events across a two-node cluster (broker/event-relay.ts): a scan ingested by node A is heard by
// node B's list listeners (its household pages), a pickup change on B by A's, each exactly once and never
// echoed back to the node it came from. Two clouds in this process on a real Redis and PostgreSQL.

import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import type { ListChange } from '../src/domains/lists/list-events.js'
import type { PickupChange } from '../src/domains/pickups/pickup-events.js'
import { type ClusterServices, clusterServicesAvailable, startClusterServices } from './support/cluster.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const available = clusterServicesAvailable()
const t = suite('cluster: domain events relayed between nodes')

let services: ClusterServices | undefined
const clouds: TestCloud[] = []
t.after(async () => {
  for (const c of clouds) await c.stop()
  await services?.stop()
})

t('a scan on node A reaches node B once; a pickup change on B reaches A once; no echoes', async () => {
  if (!available) return
  services = await startClusterServices()
  const env = services.env
  const a = await startTestCloud(env)
  clouds.push(a)
  const b = await startTestCloud(env)
  clouds.push(b)
  await a.household('home')
  const cred = await a.agent('kitchen', 'home')

  const heard = { a: [] as ListChange[], b: [] as ListChange[] }
  a.cloud.listEvents.on('change', (c) => heard.a.push(c))
  b.cloud.listEvents.on('change', (c) => heard.b.push(c))
  const device = new TestDevice(await a.connect('kitchen', cred.username, cred.secret), 'kitchen')
  await device.subscribeAcks()
  const scan = device.scanEnvelope('3017620422003')
  await device.publish(scan)
  await device.waitAck(scan.id)
  await waitFor('node B to hear the scan', async () => heard.b.length === 1)
  assert.is(heard.b[0]!.householdId, 'home')
  assert.is(heard.b[0]!.reason, 'scan')

  const pickups = { a: [] as PickupChange[], b: [] as PickupChange[] }
  a.cloud.pickupEvents.on('change', (c) => pickups.a.push(c))
  b.cloud.pickupEvents.on('change', (c) => pickups.b.push(c))
  const change: PickupChange = {
    requestId: 'req-1',
    siteId: 'site-1',
    courierId: null,
    roundId: null,
    state: 'requested',
  }
  b.cloud.pickupEvents.emit('change', change)
  await waitFor('node A to hear the pickup change', async () => pickups.a.length === 1)
  assert.equal(pickups.a[0], change)

  // A health message is one time-series point in the cluster, written by the agent's node; both nodes
  // keep the agent's state.
  const healthPoints = { a: 0, b: 0 }
  for (const [name, tc] of [
    ['a', a],
    ['b', b],
  ] as const) {
    const record = tc.cloud.series.record.bind(tc.cloud.series)
    tc.cloud.series.record = (p) => {
      if (p.measurement === 'health') healthPoints[name]++
      record(p)
    }
  }
  const health = makeEnvelope({
    agent: 'kitchen',
    type: 'health',
    session: 's',
    seq: 1,
    data: { uptime_s: 5 },
  })
  await device.client.publishAsync(topics.health('kitchen'), JSON.stringify(health), { qos: 1 })
  await waitFor('both nodes to know the health', async () =>
    [a, b].every((tc) => Boolean(tc.cloud.agents?.get('kitchen')?.health)),
  )

  // Time for any echo or duplicate to arrive, then exact counts on both sides.
  await new Promise((r) => setTimeout(r, 500))
  assert.is(heard.a.length, 1, 'node A heard its own scan once, not again from B')
  assert.is(heard.b.length, 1)
  assert.is(pickups.a.length, 1)
  assert.is(pickups.b.length, 1, 'node B heard its own change once, not again from A')
  assert.equal(healthPoints, { a: 1, b: 0 })
  assert.is(a.cloud.relay?.sent, 1)
  assert.is(b.cloud.relay?.received, 1)
})

t.run()
