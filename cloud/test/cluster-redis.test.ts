// Issue 7's cluster proof: two cloud processes, each an Aedes node, sharing routing, sessions and
// retained messages through a real Redis and the lists through a real PostgreSQL. Devices on both nodes
// scan into two households; node A is SIGKILLed mid-stream, its devices reconnect to node B (their
// session waits there in Redis), resend what had no ack, and the lists end exactly right: each event
// applied once in the cluster, every scan acked. A command published through node B's API reaches a
// device connected to node A.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Envelope, gtinCheckDigit, makeEnvelope, parseBarcode, topics } from '@relais/hardware'
import mqtt from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { type ClusterServices, clusterServicesAvailable, startClusterServices } from './support/cluster.js'
import { type CloudProcess, relaisJson, startOnFreePorts } from './support/process.js'

const available = clusterServicesAvailable()
const t = suite('cluster: two Aedes nodes on Redis and PostgreSQL')

interface Node {
  env: Record<string, string>
  cloud: CloudProcess
  dir: string
}

let services: ClusterServices | undefined
const nodes: Node[] = []
const clients: mqtt.MqttClient[] = []

t.after(async () => {
  for (const c of clients) c.end(true)
  for (const n of nodes) {
    await n.cloud.kill('SIGTERM')
    rmSync(n.dir, { recursive: true, force: true })
  }
  await services?.stop()
})

async function startNode(shared: Record<string, string>): Promise<Node> {
  // Each node its own data dir (embedded time series); the lists are in the shared PostgreSQL.
  const dir = mkdtempSync(join(tmpdir(), 'relais-cluster-'))
  try {
    const node = { ...(await startOnFreePorts({ ...shared, RELAIS_DATA_DIR: dir })), dir }
    nodes.push(node)
    return node
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}

/** What the node's /healthz says of leadership; undefined while its HTTP is not up yet. */
async function leads(node: Node): Promise<boolean | undefined> {
  const res = await fetch(`http://127.0.0.1:${node.env.RELAIS_HTTP_PORT}/healthz`).catch(() => undefined)
  return res === undefined ? undefined : ((await res.json()) as { leader?: boolean }).leader
}

const gtin = (i: number) => {
  const body = `400${String(i).padStart(9, '0')}`
  return body + gtinCheckDigit(body)
}

async function metricSum(node: Node, ops: string, name: string, label: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${node.env.RELAIS_HTTP_PORT}/metrics`, {
    headers: { authorization: `Bearer ${ops}` },
  })
  const text = await res.text()
  assert.is(res.status, 200, text)
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(label)) sum += Number(line.split(' ').pop())
  return sum
}

t('devices on both nodes, node A SIGKILLed mid-stream: lists exact, every scan acked once', async () => {
  if (!available) return
  services = await startClusterServices()
  const shared = { ...services.env, RELAIS_LEADER_CHECK_MS: '300' }
  const a = await startNode(shared)
  const b = await startNode(shared)
  await waitFor('node A to lead', async () => (await leads(a)) === true)
  const bAnswer = await waitFor('node B to answer', async () => {
    const l = await leads(b)
    return l === undefined ? undefined : { l }
  })
  assert.is(bAnswer.l, false, 'node B follows')
  const cli = { ...a.env }
  const households = ['north', 'south']
  const tokens = new Map<string, string>()
  for (const h of households) tokens.set(h, String((await relaisJson(cli, 'household', 'add', h)).token))
  const ops = String((await relaisJson(cli, 'token', 'add', '--ops')).token)

  // Six agents, three per household; agents 0, 2, 4 start on node A, the others on node B.
  const agents = Array.from({ length: 6 }, (_, i) => ({
    id: `agent-${i}`,
    household: households[i % 2]!,
    home: i % 2 === 0 ? a : b,
  }))
  const codes = Array.from({ length: 20 }, (_, i) => gtin(i))
  const expected = new Map<string, Map<string, number>>(households.map((h) => [h, new Map()]))
  const base = Date.UTC(2026, 10, 1)
  const perAgent = 100
  const acked = new Map<string, Envelope>()
  // Sends and acks per event id: an event sent once by a device that never moved gets exactly one ack
  // (two would mean both nodes ingested it).
  const sends = new Map<string, number>()
  const acks = new Map<string, number>()
  const bump = (m: Map<string, number>, id: string) => m.set(id, (m.get(id) ?? 0) + 1)
  const devices: Array<
    (typeof agents)[number] & { c: mqtt.MqttClient; events: Envelope[]; inbox: string[]; sent: Set<string> }
  > = []
  for (const ag of agents) {
    const cred = await relaisJson(cli, 'agent', 'add', ag.id, '--household', ag.household)
    const events = Array.from({ length: perAgent }, (_, i) => {
      const code = codes[(i * 7 + ag.id.length + Number(ag.id.slice(-1))) % codes.length]!
      const want = expected.get(ag.household)!
      want.set(code, (want.get(code) ?? 0) + 1)
      // 5 s apart at the source: none inside the 3 s debounce window.
      return makeEnvelope({
        agent: ag.id,
        device: 'scanner-1',
        type: 'scan',
        session: 'cluster',
        seq: i,
        ts: base + i * 5000,
        data: { code },
      })
    })
    const other = ag.home === a ? b : a
    // A persistent session (clean: false) kept in Redis: acks published while the device moves between
    // nodes wait in its queue. MQTT.js tries the servers in turn when a connection is lost.
    const c = mqtt.connect({
      servers: [ag.home, other].map((n) => ({ host: '127.0.0.1', port: Number(n.env.RELAIS_MQTT_PORT) })),
      clientId: ag.id,
      username: String(cred.username),
      password: String(cred.secret),
      clean: false,
      reconnectPeriod: 250,
      connectTimeout: 2000,
    })
    clients.push(c)
    c.on('error', () => {})
    const inbox: string[] = []
    c.on('message', (topic, payload) => {
      const e = JSON.parse(payload.toString()) as Envelope
      if (topic.endsWith('/cmd/ack') && e.corr !== undefined) {
        acked.set(e.corr, e)
        bump(acks, e.corr)
      } else inbox.push(topic)
    })
    await waitFor(`${ag.id} to connect`, async () => c.connected)
    await c
      .subscribeAsync([`relais/v1/${ag.id}/cmd/+`, `relais/v1/${ag.id}/+/cmd/+`], { qos: 1 })
      .catch((err) => {
        throw new Error(`${err.message}; node A: ${a.cloud.output.slice(-3000)}`)
      })
    devices.push({ ...ag, c, events, inbox, sent: new Set<string>() })
  }

  // A command through node B's API reaches agent-0 on node A (routed through Redis).
  const cmd = await fetch(`http://127.0.0.1:${b.env.RELAIS_HTTP_PORT}/api/agents/agent-0/cmd/identify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' },
    body: '{}',
  })
  assert.ok(cmd.status < 300, `identify through node B: ${cmd.status} ${await cmd.text()}`)
  await waitFor('identify to reach agent-0 on node A', async () =>
    devices[0]!.inbox.some((topic) => topic.endsWith('/cmd/identify')),
  )

  const send = (d: (typeof devices)[number], e: Envelope) => {
    bump(sends, e.id)
    d.c.publish(topics.event(d.id, 'scanner-1', 'scan'), JSON.stringify(e), { qos: 1 })
  }
  // Like the edge outbox: whatever has no ack yet is sent again with the same id.
  const resend = setInterval(() => {
    for (const d of devices) {
      if (!d.c.connected) continue
      for (const e of d.events) if (d.sent.has(e.id) && !acked.has(e.id)) send(d, e)
    }
  }, 2000)
  try {
    for (let i = 0; i < perAgent; i++) {
      for (const d of devices) {
        const e = d.events[i]!
        d.sent.add(e.id)
        send(d, e)
        if (i % 9 === 4) send(d, e) // some sent twice straight away
      }
      if (i === 40) await a.cloud.kill('SIGKILL')
      await new Promise((r) => setTimeout(r, 10))
    }
    const total = agents.length * perAgent
    await waitFor('every scan acked', async () => acked.size === total, 90_000).catch((err) => {
      throw new Error(
        `${err.message}: ${acked.size} of ${total} acked; node B: ${b.cloud.output.slice(-2000)}`,
      )
    })
  } finally {
    clearInterval(resend)
  }
  // Node A led (it started first); node B took over the once-only jobs when A died.
  await waitFor('node B to lead', async () => (await leads(b)) === true)
  // Agent-0's device moved: it is connected to node B now.
  assert.ok(devices.every((d) => d.c.connected))

  for (const e of acked.values()) {
    const outcome = (e.data as { outcome: string }).outcome
    assert.ok(['added', 'incremented', 'unknown_product'].includes(outcome), `${outcome} for ${e.corr}`)
  }
  // Acks wait a moment for any second one in flight.
  await new Promise((r) => setTimeout(r, 500))
  let once = 0
  for (const d of devices.filter((d) => d.home === b))
    for (const e of d.events)
      if (sends.get(e.id) === 1) {
        once++
        assert.is(acks.get(e.id), 1, `acks for ${e.id} of ${d.id}, sent once to node B`)
      }
  assert.ok(once > 100, `${once} events sent once on node B`)
  for (const h of households) {
    const list = await fetch(`http://127.0.0.1:${b.env.RELAIS_HTTP_PORT}/api/households/${h}/list`, {
      headers: { authorization: `Bearer ${tokens.get(h)}` },
    })
    assert.is(list.status, 200)
    const body = (await list.json()) as { items: Array<{ key: string; quantity: number }> }
    const got = Object.fromEntries(body.items.map((it) => [it.key, it.quantity]))
    const want = Object.fromEntries([...expected.get(h)!].map(([code, n]) => [parseBarcode(code).key!, n]))
    assert.equal(got, want, `household ${h}`)
  }
  // Node B applied the rest for the moved devices and all of its own; nothing was applied twice: the
  // first-time outcomes it counted plus node A's (lost with it) add up to the events, and node B's
  // replays are the resends of events node A had applied before it died.
  let firstTimeOnB = 0
  for (const outcome of ['added', 'incremented', 'unknown_product'])
    firstTimeOnB += await metricSum(b, ops, 'relais_ingest_events_total', `outcome="${outcome}"`)
  assert.ok(firstTimeOnB >= (agents.length / 2) * perAgent, `node B applied ${firstTimeOnB}`)
  assert.ok(firstTimeOnB < agents.length * perAgent, 'node A applied some before it died')
})

t.run()
