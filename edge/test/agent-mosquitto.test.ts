// The agent runs unchanged against Mosquitto (DESIGN.md, storage and scale: an external broker), with
// a password file and an ACL equivalent to Relais' rules: an agent writes under its own prefix and reads
// only its config and commands; the cloud reads everything and writes commands.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Envelope, makeEnvelope, parseTopic, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findMosquitto,
  MOSQUITTO_INSTALL,
  type Mosquitto,
  startMosquitto,
} from '../../scripts/testkit/mosquitto.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { Agent } from '../src/agent.js'
import { parseAgentConfig } from '../src/config/load.js'
import { SimulatedScanner } from '../src/drivers/scanner/simulated.js'

const SECRET = 'kitchen-secret-7f3a'
const USERS = [
  {
    username: 'kitchen',
    password: SECRET,
    acl: [
      'write relais/v1/kitchen/#',
      'read relais/v1/kitchen/config',
      'read relais/v1/kitchen/cmd/#',
      'read relais/v1/kitchen/+/cmd/#',
    ],
  },
  {
    username: 'cloud',
    password: 'cloud-secret-91c2',
    acl: ['read relais/v1/#', 'write relais/v1/+/+/cmd/#'],
  },
]

interface Seen {
  topic: string
  retain: boolean
  message: Envelope
}

/** The cloud's side, as an MQTT.js client with the `cloud` user: records everything, acks every scan. */
async function connectCloud(url: string, clientId: string, answer = true) {
  const client = await mqtt.connectAsync(url, {
    clientId,
    username: 'cloud',
    password: USERS[1]!.password,
    reconnectPeriod: 0,
  })
  const seen: Seen[] = []
  let seq = 0
  client.on('message', (topic, payload, packet) => {
    const message = JSON.parse(payload.toString()) as Envelope
    seen.push({ topic, retain: packet.retain, message })
    const t = parseTopic(topic)
    if (!answer || t?.kind !== 'event') return
    const ack = makeEnvelope({
      agent: t.agent,
      device: t.device,
      type: 'ack',
      session: 'cloud-test',
      seq: seq++,
      corr: message.id,
      data: { outcome: 'added' },
    })
    void client.publishAsync(topics.cmd(t.agent, 'ack', t.device), JSON.stringify(ack), { qos: 1 })
  })
  await client.subscribeAsync('relais/v1/#', { qos: 1 })
  return { client, seen }
}

type Log = { msg: string; module?: string; signal?: string; code?: unknown; attempt?: number }
interface Ctx {
  broker?: Mosquitto
  dir: string
  agent?: Agent
  cloud?: Awaited<ReturnType<typeof connectCloud>>
  late?: MqttClient
  logs: Log[]
  scanner?: SimulatedScanner
}

const t = suite<Ctx>('the agent against Mosquitto')
const found = serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL)
const run = found ? t : t.skip

t.before(async (ctx) => {
  if (found) ctx.broker = await startMosquitto({ users: USERS })
})
t.after(async (ctx) => ctx.broker?.stop())
t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-agent-mosquitto-'))
  ctx.logs = []
})
t.after.each(async (ctx) => {
  await ctx.agent?.stop()
  ctx.agent = undefined
  await ctx.cloud?.client.endAsync()
  await ctx.late?.endAsync()
  rmSync(ctx.dir, { recursive: true, force: true })
})

async function startAgent(ctx: Ctx, secret = SECRET): Promise<Agent> {
  const config = parseAgentConfig({
    agent: { id: 'kitchen' },
    broker: { url: ctx.broker!.url, secret },
    dataDir: ctx.dir,
    outbox: { ackTimeoutMs: 2000 },
    scanners: [{ id: 'scanner-1', driver: 'simulated', debounceMs: 0 }],
  })
  // The agent's log lines: what it saw of the broker (CONNACK codes, reconnects) and, with the
  // default log feedback, every signal it showed.
  const log = pino({ level: 'info' }, { write: (line: string) => void ctx.logs.push(JSON.parse(line)) })
  ctx.agent = new Agent(config, log, {
    scanSource: (sc) => {
      ctx.scanner = new SimulatedScanner(
        sc.id,
        { codes: [], intervalMs: 1_000_000 },
        pino({ level: 'silent' }),
      )
      return ctx.scanner
    },
  })
  await ctx.agent.start()
  return ctx.agent
}

const shown = (ctx: Ctx) => ctx.logs.filter((l) => l.module === 'feedback').map((l) => l.signal)

/** The agent's birth as seen live by the cloud client: its device status is the last retained message. */
const born = (ctx: Ctx) =>
  waitFor('the birth', async () =>
    ctx.cloud!.seen.some(
      (s) =>
        s.topic === topics.deviceStatus('kitchen', 'scanner-1') &&
        s.message.session === ctx.agent!.session.id,
    ),
  )
const statuses = (seen: Seen[], session: string) =>
  seen
    .filter((s) => s.topic === topics.status('kitchen') && s.message.session === session)
    .map((s) => s.message.data as { state: string; reason?: string })

run(
  'publishes its birth retained: a late subscriber sees status online, info and the scanner',
  async (ctx) => {
    ctx.cloud = await connectCloud(ctx.broker!.url, 'cloud-birth')
    const agent = await startAgent(ctx)
    await born(ctx)
    const late = await connectCloud(ctx.broker!.url, 'cloud-late', false)
    ctx.late = late.client
    const mine = (topic: string) =>
      late.seen.find((s) => s.topic === topic && s.message.session === agent.session.id)
    await waitFor('the retained birth', async () => mine(topics.deviceStatus('kitchen', 'scanner-1')))
    const status = mine(topics.status('kitchen'))!
    assert.equal([status.retain, (status.message.data as { state: string }).state], [true, 'online'])
    assert.ok(mine(topics.info('kitchen'))?.retain, 'info retained')
    assert.ok(mine(topics.deviceStatus('kitchen', 'scanner-1'))?.retain, 'device status retained')
  },
)

run('a scan goes out, the cloud acks it in the envelope, the outbox is empty', async (ctx) => {
  ctx.cloud = await connectCloud(ctx.broker!.url, 'cloud-scan')
  const agent = await startAgent(ctx)
  await born(ctx)
  ctx.scanner!.push('3017620422003')
  await waitFor('the ack', async () => shown(ctx).includes('added'))
  assert.is(agent.outbox.depth, 0)
  const events = ctx.cloud.seen.filter((s) => s.topic === topics.event('kitchen', 'scanner-1', 'scan'))
  assert.equal(
    events.map((e) => (e.message.data as { code: string }).code),
    ['3017620422003'],
  )
  assert.equal(shown(ctx), ['received', 'added'])
})

run('Mosquitto publishes the will when the connection drops without DISCONNECT', async (ctx) => {
  ctx.cloud = await connectCloud(ctx.broker!.url, 'cloud-will')
  const agent = await startAgent(ctx)
  await born(ctx)
  const { client } = agent.link as unknown as { client: MqttClient }
  // Only once the birth is acked: a QoS 1 publish in flight when the socket dies stays in mqtt.js's
  // `outgoing` after reconnect() (which swaps the store), and link.stop()'s end(false) then waits
  // for it forever (a bug of the link, reported; not what this test is about).
  await waitFor('the birth acked', async () => Object.keys(client.outgoing).length === 0)
  // A dead Wi-Fi link or a crash, as the broker sees it: the socket goes, no DISCONNECT is sent.
  client.stream.destroy()
  const session = agent.session.id
  await waitFor('the will', async () => statuses(ctx.cloud!.seen, session).some((s) => s.state === 'offline'))
  const will = statuses(ctx.cloud.seen, session).find((s) => s.state === 'offline')
  assert.equal(will, { state: 'offline' }, 'the will, not the clean-stop offline (which has a reason)')
  await waitFor(
    'reconnected and born again',
    async () => statuses(ctx.cloud!.seen, session).at(-1)?.state === 'online',
  )
})

run('a wrong secret is refused with CONNACK 5; the agent keeps retrying and keeps scans', async (ctx) => {
  const agent = await startAgent(ctx, 'not-the-secret')
  const refusals = () => ctx.logs.filter((l) => l.msg === 'MQTT error' && l.code === 5).length
  await waitFor('three refusals', async () => refusals() >= 3, 30_000)
  assert.ok(
    ctx.logs.some((l) => l.msg === 'disconnected; reconnecting after back-off' && (l.attempt ?? 0) >= 2),
    'reconnects with back-off',
  )
  assert.is(agent.link.connected, false)
  assert.match(ctx.broker!.log(), 'not authorised')
  ctx.scanner!.push('3017620422003')
  assert.is(agent.outbox.depth, 1, 'the scan waits in the outbox')
  assert.ok(shown(ctx).includes('queued_offline'))
})

t.run()
