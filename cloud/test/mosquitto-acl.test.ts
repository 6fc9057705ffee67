// The exported files on a real Mosquitto (Debian's 2.0.11): the rules of topic-rules.ts and
// account-rules.ts hold there as on the embedded broker, as far as Mosquitto can say them. Mosquitto
// answers a refused PUBLISH with PUBACK 0x87 under MQTT 5 and keeps the connection; it grants every
// SUBSCRIBE and checks each delivery against the reader's `read` lines instead.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findMosquitto,
  MOSQUITTO_INSTALL,
  type Mosquitto,
  startMosquitto,
} from '../../scripts/testkit/mosquitto.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { cliJson, exportMosquittoFiles } from './support/cli.js'
import { databaseEnv, openTestDatabase } from './support/database.js'

interface Ctx {
  tmp: string
  broker: Mosquitto
  secrets: Record<string, string>
  clients: MqttClient[]
}
const t = suite<Ctx>('exported rules on a real Mosquitto')
const run = serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) ? t : t.skip
const CLOUD = { username: 'relais-cloud', password: 'cloud-password-1' }

/** The CLI on the suite's data dir (and its database on a PostgreSQL run). */
async function cli(tmp: string, ...args: string[]): Promise<Record<string, unknown>> {
  return cliJson(await cliEnv(tmp), ...args)
}

async function cliEnv(tmp: string): Promise<Record<string, string>> {
  const data = join(tmp, 'data')
  return { RELAIS_DATA_DIR: data, ...(await databaseEnv(data)) }
}

t.before(async (ctx) => {
  if (findMosquitto() === undefined) return
  ctx.tmp = mkdtempSync(join(tmpdir(), 'relais-mosquitto-acl-'))
  ctx.clients = []
  ctx.secrets = {}
  await cli(ctx.tmp, 'household', 'add', 'home')
  for (const a of ['kitchen', 'hall', 'gone', 'old'])
    ctx.secrets[a] = (await cli(ctx.tmp, 'agent', 'add', a, '--household', 'home')).secret as string
  await cli(ctx.tmp, 'agent', 'revoke', 'gone')
  const db = await openTestDatabase(join(ctx.tmp, 'data'))
  await db.updateTable('agents').set({ mosquitto_hash: null }).where('id', '=', 'old').execute()
  await db.destroy()
  ctx.secrets.ha = (
    await cli(
      ctx.tmp,
      'account',
      'add',
      'ha',
      '--read',
      'relais/v1/+/health',
      '--write',
      'ha/+/set',
      '--deny',
      'relais/v1/hall/#',
    )
  ).secret as string
  const files = await exportMosquittoFiles(await cliEnv(ctx.tmp), ctx.tmp, CLOUD)
  ctx.broker = await startMosquitto({
    users: [],
    files: { ...files, probe: CLOUD },
  })
})
t.after(async (ctx) => {
  for (const c of ctx.clients ?? []) c.end(true)
  await ctx.broker?.stop()
  if (ctx.tmp) rmSync(ctx.tmp, { recursive: true, force: true })
})

async function connect(ctx: Ctx, clientId: string, username: string, password: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(ctx.broker.url, {
    protocolVersion: 5,
    clientId,
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  })
  ctx.clients.push(c)
  return c
}

/** Every message a client receives, by topic. */
function inbox(c: MqttClient): Array<{ topic: string; payload: string }> {
  const got: Array<{ topic: string; payload: string }> = []
  c.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }))
  return got
}

const scan = (agent: string, code: string) =>
  JSON.stringify(
    makeEnvelope({ agent, device: 'scanner-1', type: 'scan', session: 's', seq: 0, data: { code } }),
  )

/** The reason code of a refused QoS 1 PUBLISH (PUBACK >= 0x80, MQTT 5 section 3.4.2.1), or 0. */
async function publishCode(c: MqttClient, topic: string, payload: string, retain = false): Promise<number> {
  try {
    await c.publishAsync(topic, payload, { qos: 1, retain })
    return 0
  } catch (err) {
    return (err as { code?: number }).code ?? -1
  }
}

run('an agent publishes its own events; the cloud reads them through a shared subscription', async (ctx) => {
  const cloud = await connect(ctx, 'cloud-1', CLOUD.username, CLOUD.password)
  const got = inbox(cloud)
  await cloud.subscribeAsync('$share/relais-ingest/relais/v1/+/+/event/+', { qos: 1 })
  const kitchen = await connect(ctx, 'kitchen', 'kitchen', ctx.secrets.kitchen!)
  assert.is(await publishCode(kitchen, topics.event('kitchen', 'scanner-1', 'scan'), scan('kitchen', 'a')), 0)
  await waitFor('the cloud to get the scan', async () => got.length === 1, 5000)
  assert.is(got[0]!.topic, topics.event('kitchen', 'scanner-1', 'scan'))
})

run('an agent cannot publish as another agent, nor to its own cmd or config topics', async (ctx) => {
  const cloud = await connect(ctx, 'cloud-2', CLOUD.username, CLOUD.password)
  const got = inbox(cloud)
  await cloud.subscribeAsync('relais/v1/#', { qos: 1 })
  const kitchen = await connect(ctx, 'kitchen', 'kitchen', ctx.secrets.kitchen!)
  const refused = [
    topics.event('hall', 'scanner-1', 'scan'),
    topics.status('hall'),
    topics.config('kitchen'),
    topics.cmd('kitchen', 'identify'),
    topics.cmd('kitchen', 'ack', 'scanner-1'),
    // '+' in the device level would match these; the reserved device ids are denied.
    topics.cmd('kitchen', 'status'),
    'relais/v1/kitchen/cmd/event/scan',
    'elsewhere/topic',
  ]
  for (const topic of refused) assert.is(await publishCode(kitchen, topic, scan('kitchen', 'x')), 0x87, topic)
  assert.ok(kitchen.connected, 'MQTT 5: a refused publish keeps the connection')
  // The allowed one after them, so the cloud has heard everything the broker passed on.
  assert.is(await publishCode(kitchen, topics.health('kitchen'), '{}'), 0)
  await waitFor('the health message', async () => got.some((m) => m.topic === topics.health('kitchen')), 5000)
  assert.equal(
    got.map((m) => m.topic),
    [topics.health('kitchen')],
  )
})

run("an agent hears its own cmd and config, never another agent's, even subscribed to it", async (ctx) => {
  const cloud = await connect(ctx, 'cloud-3', CLOUD.username, CLOUD.password)
  const kitchen = await connect(ctx, 'kitchen', 'kitchen', ctx.secrets.kitchen!)
  const got = inbox(kitchen)
  // Mosquitto grants these (it does not check SUBSCRIBE against the ACL); deliveries are checked.
  await kitchen.subscribeAsync(['relais/v1/hall/cmd/+', 'relais/v1/hall/+/cmd/+', 'relais/v1/#'], { qos: 1 })
  await cloud.publishAsync(topics.cmd('hall', 'identify'), '{}', { qos: 1 })
  await cloud.publishAsync(topics.cmd('hall', 'ack', 'scanner-1'), '{}', { qos: 1 })
  await cloud.publishAsync(topics.config('hall'), '{}', { qos: 1 })
  await cloud.publishAsync(topics.cmd('kitchen', 'ack', 'scanner-1'), 'mine', { qos: 1 })
  await cloud.publishAsync(topics.config('kitchen'), 'mine', { qos: 1 })
  await waitFor('its own two', async () => got.length >= 2, 5000)
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(
    got.every((m) => m.topic.startsWith('relais/v1/kitchen/')),
    JSON.stringify(got),
  )
})

run('a wrong secret, a revoked agent and an agent without a Mosquitto hash are refused', async (ctx) => {
  const refused = async (clientId: string, username: string, password: string) => {
    try {
      await connect(ctx, clientId, username, password)
      return false
    } catch (err) {
      // CONNACK 0x87 Not authorized (MQTT 5 section 3.2.2.2); 0x86 would be a bad user name or password.
      return [0x86, 0x87].includes((err as { code?: number }).code ?? 0)
    }
  }
  assert.ok(await refused('kitchen-x', 'kitchen', `${ctx.secrets.kitchen}x`))
  assert.ok(await refused('gone', 'gone', ctx.secrets.gone!))
  assert.ok(await refused('old', 'old', ctx.secrets.old!))
  assert.ok(await refused('nobody', 'nobody', 'x'))
  assert.match(ctx.broker.log(), /not authori[sz]ed|bad user name or password/i)
})

run("an account's read, write and deny patterns hold, and it never writes under relais/", async (ctx) => {
  const kitchen = await connect(ctx, 'kitchen', 'kitchen', ctx.secrets.kitchen!)
  const hall = await connect(ctx, 'hall', 'hall', ctx.secrets.hall!)
  const ha = await connect(ctx, 'ha-1', 'ha', ctx.secrets.ha!)
  const got = inbox(ha)
  await ha.subscribeAsync(['relais/v1/+/health', 'relais/v1/#', 'ha/#'], { qos: 1 })
  await hall.publishAsync(topics.health('hall'), 'denied', { qos: 1 })
  await kitchen.publishAsync(topics.event('kitchen', 'scanner-1', 'scan'), scan('kitchen', 'b'), { qos: 1 })
  await kitchen.publishAsync(topics.health('kitchen'), 'readable', { qos: 1 })
  assert.is(await publishCode(ha, 'ha/lights/set', 'on'), 0)
  assert.is(await publishCode(ha, 'ha/lights/state', 'on'), 0x87)
  assert.is(await publishCode(ha, topics.cmd('kitchen', 'identify'), '{}'), 0x87)
  assert.is(await publishCode(ha, topics.health('kitchen'), '{}'), 0x87)
  await waitFor('the readable health', async () => got.some((m) => m.payload === 'readable'), 5000)
  // ha/lights/set is not readable (only ha/+/set is written; nothing under ha/ is read): not delivered.
  await new Promise((r) => setTimeout(r, 200))
  // One copy per matching subscription (two of its filters match): MQTT 5 lets the broker do so
  // (section 3.3.4), which is why the cloud dispatches by Subscription Identifier (external-bus.ts).
  assert.equal(
    [...new Set(got.map((m) => `${m.topic} ${m.payload}`))],
    [`${topics.health('kitchen')} readable`],
  )
})

t.run()
