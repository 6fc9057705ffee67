// Issue 7 part 3, the external broker mode end to end: a real Mosquitto with the exported password file
// and ACL, PostgreSQL, two cloud processes started with RELAIS_BROKER_URL sharing the events through
// `$share/relais-ingest/...` (MQTT 5, section 4.8.2), and plain MQTT.js clients as four agents' scanners
// that resend what has no ack yet, as the edge outbox does. Both workers ingest some; one is SIGKILLed
// mid-stream and the other carries on; then Mosquitto itself stops and comes back on the same port. Every
// scan is acked and the list holds exactly what was scanned.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Envelope, gtinCheckDigit, makeEnvelope, parseBarcode, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findMosquitto,
  MOSQUITTO_INSTALL,
  type Mosquitto,
  startMosquitto,
} from '../../scripts/testkit/mosquitto.js'
import {
  findPostgres,
  type Postgres,
  postgresInstallHint,
  startPostgres,
} from '../../scripts/testkit/postgres.js'
import { freePort, serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { cliJson, exportMosquittoFiles } from './support/cli.js'
import { CloudProcess } from './support/process.js'
import { parseMetrics, value } from './support/prometheus.js'

const AGENTS = ['kitchen', 'pantry', 'garage', 'cellar']
const CLOUD = { username: 'relais-cloud', password: 'cloud-login-secret' }
const CODES = Array.from({ length: 20 }, (_, i) => {
  const body = `400${String(i).padStart(9, '0')}`
  return body + gtinCheckDigit(body)
})

interface Worker {
  name: string
  process: CloudProcess
  httpPort: number
}
interface Ctx {
  tmp: string
  pg: Postgres
  broker: Mosquitto
  files: { passwords: string; acl: string }
  workers: Worker[]
  opsToken: string
  householdToken: string
  secrets: Record<string, string>
  fleet: Fleet
  expected: Map<string, number>
}

const t = suite<Ctx>('external broker: Mosquitto, PostgreSQL, two ingest workers')
const found =
  serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) &&
  serviceAvailable('PostgreSQL', findPostgres(), postgresInstallHint)
const run = found ? t : t.skip

async function metricsOf(ctx: Ctx, w: Worker) {
  const res = await fetch(`http://127.0.0.1:${w.httpPort}/metrics`, {
    headers: { authorization: `Bearer ${ctx.opsToken}` },
  })
  assert.is(res.status, 200)
  return parseMetrics(await res.text())
}

/**
 * Four scanners on plain MQTT.js clients. Like the edge outbox: a scan is kept until its `cmd/ack`
 * arrives and sent again with the same id when none came within `resendMs`.
 */
class Fleet {
  readonly clients = new Map<string, MqttClient>()
  readonly sentAt = new Map<string, number>()
  readonly events = new Map<string, Envelope>()
  readonly acks = new Map<string, Envelope>()
  resends = 0
  /** PUBLISH packets sent, first sends and resends. */
  sends = 0
  private timer?: NodeJS.Timeout
  private seq = 0

  constructor(
    private readonly url: string,
    private readonly secrets: Record<string, string>,
    private readonly resendMs = 2000,
  ) {}

  async connect(): Promise<void> {
    for (const agent of AGENTS) {
      const c = mqtt.connect(this.url, {
        clientId: agent,
        username: agent,
        password: this.secrets[agent],
        reconnectPeriod: 200,
        connectTimeout: 2000,
      })
      c.on('connect', () => c.subscribe(topics.cmd(agent, 'ack', 'scanner-1'), { qos: 1 }))
      c.on('message', (_t, payload) => {
        const e = JSON.parse(payload.toString()) as Envelope
        if (e.corr !== undefined) this.acks.set(e.corr, e)
      })
      c.on('error', () => {})
      this.clients.set(agent, c)
    }
    await waitFor('the scanners to connect', async () => [...this.clients.values()].every((c) => c.connected))
    this.timer = setInterval(() => this.resend(), 250)
  }

  /** One scan of `code` on `agent`, 5 s after the previous one at the source. */
  scan(agent: string, code: string, twice = false): Envelope {
    const i = this.seq++
    const e = makeEnvelope({
      agent,
      device: 'scanner-1',
      type: 'scan',
      session: 'ext',
      seq: i,
      ts: Date.UTC(2026, 10, 1) + i * 5000,
      data: { code },
    })
    this.events.set(e.id, e)
    this.send(e)
    if (twice) this.send(e)
    return e
  }

  get unacked(): number {
    return [...this.events.keys()].filter((id) => !this.acks.has(id)).length
  }

  async end(): Promise<void> {
    clearInterval(this.timer)
    await Promise.all([...this.clients.values()].map((c) => c.endAsync(true)))
  }

  private send(e: Envelope): void {
    this.sentAt.set(e.id, Date.now())
    const c = this.clients.get(e.agent)!
    if (!c.connected) return
    this.sends++
    c.publish(topics.event(e.agent, 'scanner-1', 'scan'), JSON.stringify(e), { qos: 1 })
  }

  private resend(): void {
    const now = Date.now()
    for (const [id, e] of this.events)
      if (!this.acks.has(id) && now - this.sentAt.get(id)! > this.resendMs) {
        this.resends++
        this.send(e)
      }
  }
}

t.before(async (ctx) => {
  if (!found) return
  ctx.tmp = mkdtempSync(join(tmpdir(), 'relais-external-broker-'))
  ctx.workers = []
  ctx.expected = new Map()
  ctx.pg = await startPostgres()
  const databaseUrl = await ctx.pg.createDatabase()
  const cliEnv = { RELAIS_DATA_DIR: join(ctx.tmp, 'cli'), RELAIS_DATABASE_URL: databaseUrl }
  ctx.householdToken = (await cliJson(cliEnv, 'household', 'add', 'home')).token as string
  ctx.opsToken = (await cliJson(cliEnv, 'token', 'add', '--ops')).token as string
  ctx.secrets = {}
  for (const a of AGENTS)
    ctx.secrets[a] = (await cliJson(cliEnv, 'agent', 'add', a, '--household', 'home')).secret as string
  ctx.files = await exportMosquittoFiles(cliEnv, ctx.tmp, CLOUD)
  ctx.broker = await startMosquitto({
    users: [],
    files: { ...ctx.files, probe: CLOUD },
    // Each worker also hears every event on its plain availability subscription: room for a burst.
    extraConfig: ['max_queued_messages 10000'],
  })
  for (const name of ['worker-a', 'worker-b']) {
    const httpPort = await freePort()
    const proc = new CloudProcess({
      RELAIS_DATA_DIR: join(ctx.tmp, name),
      RELAIS_DATABASE_URL: databaseUrl,
      RELAIS_BROKER_URL: ctx.broker.url,
      RELAIS_BROKER_USERNAME: CLOUD.username,
      RELAIS_BROKER_PASSWORD: CLOUD.password,
      RELAIS_BROKER_CLIENT_ID: `relais-${name}`,
      RELAIS_HTTP_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: String(httpPort),
      RELAIS_SCAN_DEBOUNCE_MS: '0',
    })
    ctx.workers.push({ name, process: proc, httpPort })
  }
  await Promise.all(ctx.workers.map((w) => w.process.start()))
  ctx.fleet = new Fleet(ctx.broker.url, ctx.secrets)
  await ctx.fleet.connect()
})

t.after(async (ctx) => {
  await ctx.fleet?.end()
  for (const w of ctx.workers ?? []) await w.process.kill('SIGTERM')
  await ctx.broker?.stop()
  await ctx.pg?.stop()
  if (ctx.tmp) rmSync(ctx.tmp, { recursive: true, force: true })
})

function scanMany(ctx: Ctx, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const code = CODES[(i * 7 + (i >> 3)) % CODES.length]!
    ctx.expected.set(code, (ctx.expected.get(code) ?? 0) + 1)
    // Every tenth sent twice at once: the broker may hand the copies to different workers.
    ctx.fleet.scan(AGENTS[i % AGENTS.length]!, code, i % 10 === 3)
  }
}

async function assertListExact(ctx: Ctx, w: Worker): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${w.httpPort}/api/households/home/list`, {
    headers: { authorization: `Bearer ${ctx.householdToken}` },
  })
  assert.is(res.status, 200)
  const body = (await res.json()) as { items: Array<{ key: string; quantity: number }> }
  const got = Object.fromEntries(body.items.map((it) => [it.key, it.quantity]))
  const want = Object.fromEntries([...ctx.expected].map(([code, n]) => [parseBarcode(code).key!, n]))
  assert.equal(got, want)
}

function assertOutcomes(ctx: Ctx): void {
  const outcomes = new Map<string, number>()
  for (const a of ctx.fleet.acks.values()) {
    const o = (a.data as { outcome: string }).outcome
    outcomes.set(o, (outcomes.get(o) ?? 0) + 1)
  }
  assert.is(outcomes.get('rejected') ?? 0, 0, JSON.stringify([...outcomes]))
  assert.is(outcomes.get('duplicate') ?? 0, 0, JSON.stringify([...outcomes]))
}

run('600 scans split over two workers, one SIGKILLed mid-stream: all acked, the list exact', async (ctx) => {
  const [a, b] = ctx.workers as [Worker, Worker]
  for (let i = 0; i < 300; i += 20) {
    scanMany(ctx, i, 20)
    await new Promise((r) => setTimeout(r, 20))
  }
  await waitFor('the first half acked', async () => ctx.fleet.unacked === 0, 60_000)
  const receivedA = value(await metricsOf(ctx, a), 'relais_ingest_received_total')
  const receivedB = value(await metricsOf(ctx, b), 'relais_ingest_received_total')
  // Both took part: the shared subscription split the events (exact halves are not promised).
  assert.ok(receivedA > 0 && receivedB > 0, `worker a ${receivedA}, worker b ${receivedB}`)
  // Each PUBLISH to one worker, not to both (MQTT 5 section 4.8.2).
  const sum = receivedA + receivedB
  assert.ok(sum >= 300 && sum <= ctx.fleet.sends, `${sum} received for ${ctx.fleet.sends} sent`)

  // Worker a dies in the middle of a burst; what it held unacked is resent and lands on worker b.
  for (let i = 300; i < 600; i += 20) {
    scanMany(ctx, i, 20)
    if (i === 400) await a.process.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 20))
  }
  await waitFor('every scan acked', async () => ctx.fleet.unacked === 0, 90_000)
  assert.is(ctx.fleet.events.size, 600)
  assertOutcomes(ctx)
  await assertListExact(ctx, b)
  const afterB = value(await metricsOf(ctx, b), 'relais_ingest_received_total')
  assert.ok(afterB - receivedB >= 200, `worker b took ${afterB - receivedB} after worker a died`)
  console.log(
    `worker a received ${receivedA} before it was killed, worker b ${afterB} in all; ${ctx.fleet.resends} resends`,
  )
})

run(
  'Mosquitto stops and comes back on its port: the worker resubscribes, scans still land exactly once',
  async (ctx) => {
    const b = ctx.workers[1]!
    const port = ctx.broker.port
    await ctx.broker.stop()
    // Scans made while the broker is gone wait in the scanners' outbox.
    scanMany(ctx, 600, 20)
    await new Promise((r) => setTimeout(r, 1500))
    ctx.broker = await startMosquitto({
      users: [],
      files: { ...ctx.files, probe: CLOUD },
      extraConfig: ['max_queued_messages 10000'],
      port,
    })
    await waitFor(
      'worker b back on the broker',
      async () => {
        const res = await fetch(`http://127.0.0.1:${b.httpPort}/healthz`)
        return ((await res.json()) as { externalBroker?: { connected: boolean } }).externalBroker?.connected
      },
      30_000,
    )
    for (let i = 620; i < 700; i += 20) {
      scanMany(ctx, i, 20)
      await new Promise((r) => setTimeout(r, 20))
    }
    await waitFor('every scan acked after the restart', async () => ctx.fleet.unacked === 0, 60_000)
    assert.is(ctx.fleet.events.size, 700)
    assertOutcomes(ctx)
    await assertListExact(ctx, b)
    assert.match(b.process.output, /external broker unreachable/)
  },
)

t.run()
