// The whole agent with a beacon reader against a real in-process Aedes; a test subscriber plays the
// cloud: it sends the retained config with the reader's allow-list and acks events. Enter and leave go
// through the outbox and match the contract's schemas; a beacon not on the list never appears; the
// reader's status and telemetry are published; a section for no such reader needs a restart; allowed
// identities never reach an info-level log. Then a replay reader, built from its config alone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { decodeMessage, type Envelope, encodeAdvertisement, makeEnvelope, topics } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { Agent } from '../src/agent.js'
import { parseAgentConfig } from '../src/config/load.js'
import { SimulatedAdvertisementSource } from '../src/drivers/beacon/simulated.js'
import { LogFeedback } from '../src/feedback/terminal.js'
import { ibeacon, keyOf } from './support/beacons.js'
import { FakeCloud } from './support/fake-cloud.js'

const ALICE = ibeacon(7, 1)
const BOB = ibeacon(7, 2)
const AGENT = 'shop'

interface Ctx {
  cloud: FakeCloud
  dir: string
  agent?: Agent
  source?: SimulatedAdvertisementSource
  logs: Array<Record<string, unknown>>
}

const t = suite<Ctx>('beacon agent')
t.before.each(async (ctx) => {
  ctx.cloud = new FakeCloud()
  ctx.cloud.answer = () => ({ outcome: 'recorded' })
  await ctx.cloud.start()
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-beacon-agent-'))
  ctx.logs = []
  ctx.source = undefined
})
t.after.each(async (ctx) => {
  await ctx.agent?.stop()
  ctx.agent = undefined
  await ctx.cloud.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

function logger(ctx: Ctx) {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) ctx.logs.push(JSON.parse(l))
      cb()
    },
  })
  return pino({ level: 'info' }, sink)
}

async function startAgent(ctx: Ctx, beacon: Record<string, unknown>) {
  const config = parseAgentConfig({
    agent: { id: AGENT },
    broker: { url: `mqtt://127.0.0.1:${ctx.cloud.port}`, secret: 'unused-by-the-fake' },
    dataDir: ctx.dir,
    outbox: { ackTimeoutMs: 500 },
    beacons: [{ id: 'ble-0', telemetryS: 1, ...beacon }],
  })
  const log = logger(ctx)
  ctx.agent = new Agent(config, log, {
    feedback: new LogFeedback(log),
    advertisementSource:
      beacon.source === 'simulated'
        ? (rc, l) => {
            ctx.source = new SimulatedAdvertisementSource(rc.id, l)
            return ctx.source
          }
        : undefined,
  })
  await ctx.agent.start()
  await waitFor('connected', async () => ctx.agent!.link.connected)
  return ctx.agent
}

function pushConfig(ctx: Ctx, data: Record<string, unknown>) {
  const env = makeEnvelope({ agent: AGENT, type: 'config', session: 'cloud', seq: 0, data })
  ctx.cloud.aedes!.publish(
    {
      cmd: 'publish',
      topic: topics.config(AGENT),
      payload: Buffer.from(JSON.stringify(env)),
      qos: 1,
      retain: true,
      dup: false,
    },
    () => {},
  )
}

const hear = (ctx: Ctx, f: ReturnType<typeof ibeacon>, rssi: number, address = `addr-${f.minor}`) =>
  ctx.source!.push({ address, rssi, data: encodeAdvertisement(f) })

t('enter and leave reach the cloud through the outbox, acked, with the contract schemas', async (ctx) => {
  const agent = await startAgent(ctx, { source: 'simulated', minLeaveSamples: 2 })
  await waitFor('reader status', async () => ctx.cloud.on(topics.deviceStatus(AGENT, 'ble-0')).length > 0)
  const status = ctx.cloud.on(topics.deviceStatus(AGENT, 'ble-0')).at(-1)!
  assert.equal(
    [status.retain, status.message.data],
    [true, { state: 'attached', kind: 'beacon', detail: 'simulated' }],
  )
  const info = ctx.cloud.on(topics.info(AGENT))[0]!
  assert.equal((info.message.data as { devices: unknown }).devices, [{ id: 'ble-0', kind: 'beacon' }])

  // Before the allow-list: nothing reported, however close Alice stands.
  for (let i = 0; i < 5; i++) hear(ctx, ALICE, -55)
  pushConfig(ctx, {
    revision: 1,
    beacons: { 'ble-0': { zone: 'shop-door', allow: [keyOf(ALICE)] }, 'ble-9': { zone: 'x', allow: [] } },
  })
  await waitFor('config applied', async () => agent.beacons[0]?.revision === 1)
  assert.is(ctx.cloud.events.length, 0)
  for (let i = 0; i < 5; i++) {
    hear(ctx, ALICE, -58)
    hear(ctx, BOB, -45)
  }
  await waitFor('enter', async () => ctx.cloud.events.length >= 1)
  for (let i = 0; i < 30; i++) hear(ctx, ALICE, -100)
  await waitFor('leave', async () => ctx.cloud.events.length >= 2)
  await waitFor('acked', async () => agent.outbox.depth === 0)
  const events = ctx.cloud.events
  assert.equal(
    events.map((e) => [e.type, (e.data as { beacon: string }).beacon, (e.data as { zone: string }).zone]),
    [
      ['enter', keyOf(ALICE), 'shop-door'],
      ['leave', keyOf(ALICE), 'shop-door'],
    ],
  )
  for (const e of events) {
    const d = decodeMessage(topics.event(AGENT, 'ble-0', e.type), JSON.stringify(e))
    assert.ok(d.ok, d.ok ? '' : d.reason)
  }
  assert.is((events[1]!.data as { reason: string }).reason, 'weak')
  assert.is((events[1]!.data as { enteredAt: number }).enteredAt, (events[0]!.data as { at: number }).at)

  await waitFor('telemetry', async () => ctx.cloud.on(topics.telemetry(AGENT, 'ble-0')).length > 0)
  const tel = ctx.cloud.on(topics.telemetry(AGENT, 'ble-0'))
  assert.ok(
    tel.every((p) => p.qos === 0 && !p.retain && decodeMessage(p.topic, JSON.stringify(p.message)).ok),
  )
  const others = tel.reduce((n, p) => n + (p.message.data as { other_beacons: number }).other_beacons, 0)
  assert.ok(others >= 1, 'Bob counted, anonymously')

  const everything = JSON.stringify(ctx.cloud.published.map((p) => p.message))
  assert.not.ok(
    everything.includes(keyOf(BOB)) || everything.includes('addr-2'),
    'nothing of Bob left the reader',
  )
  const applied = ctx.logs.find((l) => l.msg === 'config applied')!
  assert.ok((applied.needsRestart as string[]).includes('beacons.ble-9 (no such reader)'))
  const infoLines = ctx.logs.filter((l) => (l.level as number) >= 30).map((l) => JSON.stringify(l))
  assert.not.ok(
    infoLines.some((l) => l.includes(keyOf(ALICE).slice(8))),
    'no allowed identity at info level',
  )
})

t('a refused ack (the cloud list changed) is logged and the event leaves the outbox', async (ctx) => {
  ctx.cloud.answer = () => ({ outcome: 'refused', reason: 'not_allowed' })
  const agent = await startAgent(ctx, { source: 'simulated' })
  pushConfig(ctx, { revision: 1, beacons: { 'ble-0': { zone: 'shop-door', allow: [keyOf(ALICE)] } } })
  await waitFor('config applied', async () => agent.beacons[0]?.revision === 1)
  for (let i = 0; i < 5; i++) hear(ctx, ALICE, -58)
  await waitFor('refused', async () => ctx.logs.some((l) => l.msg === 'presence event refused by the cloud'))
  await waitFor('outbox empty', async () => agent.outbox.depth === 0)
})

t('a replay reader built from its config alone reports the allowed beacon of a capture', async (ctx) => {
  const file = join(ctx.dir, 'capture.jsonl')
  const lines: string[] = []
  const a = Buffer.from(encodeAdvertisement(ALICE)).toString('hex')
  const b = Buffer.from(encodeAdvertisement(BOB)).toString('hex')
  for (let i = 0; i < 20; i++) {
    lines.push(JSON.stringify({ t: i * 20, address: 'a', rssi: -60, hex: a }))
    lines.push(JSON.stringify({ t: i * 20, address: 'b', rssi: -50, hex: b }))
  }
  writeFileSync(file, `${lines.join('\n')}\n`)
  // The allow-list kept from an earlier run: the reader works before the cloud says anything.
  writeFileSync(
    join(ctx.dir, 'beacons-ble-0.json'),
    JSON.stringify({ revision: 3, section: { zone: 'shop-door', allow: [keyOf(ALICE)] } }),
  )
  await startAgent(ctx, { source: 'replay', replay: { file, loop: true } })
  await waitFor('enter', async () => ctx.cloud.events.length >= 1)
  const e = ctx.cloud.events[0]! as Envelope<{ beacon: string }>
  assert.equal([e.type, e.data.beacon], ['enter', keyOf(ALICE)])
})

t('a config push without a beacons section empties the allow-list (complete each time)', async (ctx) => {
  const agent = await startAgent(ctx, { source: 'simulated' })
  pushConfig(ctx, { revision: 1, beacons: { 'ble-0': { zone: 'shop-door', allow: [keyOf(ALICE)] } } })
  await waitFor('config applied', async () => agent.beacons[0]?.revision === 1)
  assert.is(agent.beacons[0]!.allowed, 1)
  pushConfig(ctx, { revision: 2, health: { intervalS: 30 } })
  await waitFor('second config applied', async () => agent.beacons[0]?.revision === 2)
  assert.is(agent.beacons[0]!.allowed, 0)
  for (let i = 0; i < 5; i++) hear(ctx, ALICE, -50)
  assert.is(agent.outbox.depth, 0)
})

t('a reader that cannot start (its capture missing) is left out; the agent runs on', async (ctx) => {
  const agent = await startAgent(ctx, { source: 'replay', replay: { file: join(ctx.dir, 'missing.jsonl') } })
  const failed = ctx.logs.find((l) => l.msg === 'feature failed to start; running without it')
  assert.is(failed?.feature, 'beacon:ble-0')
  assert.ok(agent.link.connected)
})

t.run()
