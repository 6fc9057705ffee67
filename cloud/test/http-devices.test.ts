// GET /api/households/:household/devices and `event: device`, against a real cloud: agents speak the
// contract over MQTT, the page's API reports what the fleet feature made of it.
import { type Envelope, makeEnvelope, topics } from '@relais/hardware'
import type { MqttClient } from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

interface AgentJson {
  agent: string
  online: boolean
  since: number | null
  lastSeen: number | null
  lastScanAt: number | null
  pending: number | null
  dropped: number | null
  version: string | null
  devices: Array<{ id: string; kind: string | null; state: string; detail: string | null }>
}

const t = suite<{ tc: TestCloud; token: string; secret: string }>('http: household devices', {} as never)
t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  ctx.token = (await ctx.tc.household('home')).token
  await ctx.tc.household('other')
  ctx.secret = (await ctx.tc.agent('kitchen', 'home')).secret
  await ctx.tc.agent('garage', 'home')
  await ctx.tc.agent('elsewhere', 'other')
})
t.after(async (ctx) => {
  await ctx.tc.stop()
})

const url = (tc: TestCloud, path: string) => `http://127.0.0.1:${tc.cloud.httpPort}${path}`
async function devices(tc: TestCloud, token: string): Promise<AgentJson[]> {
  const res = await fetch(url(tc, '/api/households/home/devices'), {
    headers: { authorization: `Bearer ${token}` },
  })
  assert.is(res.status, 200)
  return ((await res.json()) as { agents: AgentJson[] }).agents
}
const envelope = (type: string, data: unknown, seq: number, device?: string): string =>
  JSON.stringify(
    makeEnvelope({ agent: 'kitchen', device, type, session: 'sess-1', seq, data }) satisfies Envelope,
  )

/** Reads the household's event stream into a string until `stop()`. */
async function openStream(tc: TestCloud, token: string) {
  const abort = new AbortController()
  const res = await fetch(url(tc, '/api/households/home/events'), {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  })
  let text = ''
  const reading = (async () => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of res.body!) text += decoder.decode(chunk as Uint8Array, { stream: true })
    } catch {
      // aborted
    }
  })()
  return {
    text: () => text,
    stop: async () => {
      abort.abort()
      await reading
    },
  }
}

t(
  'lists the household’s agents, offline until they connect, with no data from other households',
  async ({ tc, token }) => {
    const agents = await devices(tc, token)
    assert.equal(
      agents.map((a) => a.agent),
      ['garage', 'kitchen'],
    )
    for (const a of agents) {
      assert.is(a.online, false)
      assert.is(a.since, null)
      assert.is(a.pending, null)
      assert.is(a.lastScanAt, null)
      assert.equal(a.devices, [])
    }
  },
)

t(
  'reports birth, health, devices and the last scan; streams `event: device`; the will turns it offline',
  async ({ tc, token, secret }) => {
    const stream = await openStream(tc, token)
    let client: MqttClient | undefined
    try {
      await waitFor('the stream to open', async () => stream.text().includes(': connected'))
      client = await tc.connect('kitchen', 'kitchen', secret, {
        will: {
          topic: topics.status('kitchen'),
          payload: Buffer.from(envelope('status', { state: 'offline' }, 0)),
          qos: 1,
          retain: true,
        },
      })
      const opts = { qos: 1 as const, retain: true }
      await client.publishAsync(topics.status('kitchen'), envelope('status', { state: 'online' }, 1), opts)
      await client.publishAsync(
        topics.info('kitchen'),
        envelope(
          'info',
          { version: '1.2.3', configHash: 'abc', devices: [{ id: 'scanner-1', kind: 'scanner' }] },
          2,
        ),
        opts,
      )
      await client.publishAsync(
        topics.health('kitchen'),
        envelope('health', { outbox_depth: 3, outbox_dropped: 1 }, 3),
        {
          qos: 0,
          retain: true,
        },
      )
      await client.publishAsync(
        topics.deviceStatus('kitchen', 'scanner-1'),
        envelope('status', { state: 'attached', detail: 'ttyACM0' }, 4, 'scanner-1'),
        opts,
      )
      const kitchen = await waitFor('the kitchen agent to report', async () => {
        const a = (await devices(tc, token)).find((x) => x.agent === 'kitchen')
        return a?.pending === 3 && a.devices[0]?.state === 'attached' ? a : undefined
      })
      assert.is(kitchen.online, true)
      assert.ok(kitchen.since !== null && kitchen.lastSeen !== null && kitchen.lastSeen >= kitchen.since)
      assert.is(kitchen.dropped, 1)
      assert.is(kitchen.version, '1.2.3')
      assert.equal(kitchen.devices, [
        { id: 'scanner-1', kind: 'scanner', state: 'attached', detail: 'ttyACM0' },
      ])
      await waitFor('event: device', async () =>
        stream.text().includes('event: device\ndata: {"agent":"kitchen"}\n\n'),
      )

      const device = new TestDevice(client, 'kitchen', 'scanner-1', 'sess-1')
      await device.subscribeAcks()
      const scanTs = Date.now() - 5000
      await device.scan('LOOSE-APPLES', { ts: scanTs })
      const after = (await devices(tc, token)).find((x) => x.agent === 'kitchen')!
      assert.is(after.lastScanAt, scanTs, 'the last scan is the scan’s own time')

      // An unclean end: the broker publishes the will (MQTT-3.1.2-8).
      client.stream.destroy()
      await waitFor('the will to arrive', async () => {
        const a = (await devices(tc, token)).find((x) => x.agent === 'kitchen')
        return a?.online === false
      })
    } finally {
      client?.end(true)
      await stream.stop()
    }
  },
)

t('another household’s token is refused (403); an ops-less stranger gets 401', async ({ tc }) => {
  const other = await tc.household('third')
  const res = await fetch(url(tc, '/api/households/home/devices'), {
    headers: { authorization: `Bearer ${other.token}` },
  })
  assert.is(res.status, 403)
  const none = await fetch(url(tc, '/api/households/home/devices'))
  assert.is(none.status, 401)
})

t.run()
