// Support for the courier-rounds tests: a real Cloud on loopback ports whose round service runs on a
// clock the test moves, a depot and couriers in Paris, and pickup buttons as real MQTT clients that
// keep every ack and every cmd/pickup they receive.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { type AckPickup, type Envelope, makeEnvelope, type PressKind, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { waitFor } from '../../../scripts/testkit/services.js'
import { Cloud } from '../../src/app/cloud.js'
import { loadConfig } from '../../src/app/config.js'
import { addAgent } from '../../src/domains/agents/agents.js'
import { type CourierInput, createCourier } from '../../src/domains/couriers/couriers.js'
import { createDepot } from '../../src/domains/depots/depots.js'
import { localTime } from '../../src/domains/pickups/local-time.js'
import { createSite } from '../../src/domains/sites/sites.js'
import { databaseEnv } from './database.js'

export const TZ = 'Europe/Paris'
/** 10:00 in Paris on a Tuesday; shifts are 08:00-18:00 by default. */
export const MORNING = localTime('2026-03-10', 10 * 60, TZ)
export const HUB = { id: 'hub', address: '1 place du Chatelet, Paris', lat: 48.8579, lon: 2.3472 }

export interface RoundsCloud {
  cloud: Cloud
  logs: string[]
  clock: { now: number }
  button(agent: string, siteId: string, device?: string): Promise<Button>
  site(id: string, lat: number, lon: number): Promise<void>
  courier(input?: Partial<CourierInput>): Promise<void>
  /** Lets the round service finish what it has in hand (plans, ticks). */
  settle(): Promise<void>
  stop(): Promise<void>
}

export async function startRoundsCloud(
  opts: { env?: Record<string, string>; depot?: boolean; courier?: boolean } = {},
): Promise<RoundsCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-rounds-'))
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk))
      cb()
    },
  })
  const config = loadConfig({
    RELAIS_DATA_DIR: dataDir,
    ...(await databaseEnv(dataDir)),
    RELAIS_MQTT_PORT: '0',
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: '0',
    RELAIS_HTTP_HOST: '127.0.0.1',
    RELAIS_TZ: TZ,
    ...opts.env,
  })
  const clock = { now: MORNING }
  const cloud = new Cloud(config, pino({ level: 'debug' }, sink), { now: () => clock.now })
  await cloud.start()
  const clients: MqttClient[] = []
  const rc: RoundsCloud = {
    cloud,
    logs,
    clock,
    async button(agent, siteId, device = 'button') {
      const exists = await cloud.db
        .selectFrom('agents')
        .select('id')
        .where('id', '=', agent)
        .executeTakeFirst()
      if (exists) throw new Error(`agent ${agent} exists: use Button.connect for a second device`)
      const a = await addAgent(cloud.db, { id: agent, siteId })
      const b = await Button.connect(cloud.mqttPort, agent, a.secret, device)
      clients.push(b.client)
      return b
    },
    site: (id, lat, lon) => createSite(cloud.db, { id, address: `${id}, Paris`, lat, lon }),
    async courier(input = {}) {
      await createCourier(cloud.db, { id: 'ana', depotId: HUB.id, ...input })
    },
    async settle() {
      await cloud.ingest.drain()
      await cloud.rounds!.idle()
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
  if (opts.depot !== false) await createDepot(cloud.db, HUB)
  if (opts.courier !== false && opts.depot !== false) await rc.courier()
  return rc
}

export interface PickupCmdSeen {
  at: number
  pickup: AckPickup | undefined
}

/** A pickup button speaking the contract over a real MQTT connection. */
export class Button {
  private seq = 0
  readonly acks = new Map<string, Envelope>()
  readonly cmds: PickupCmdSeen[] = []
  private readonly ackWaiters = new Map<string, (e: Envelope) => void>()

  private constructor(
    readonly client: MqttClient,
    readonly agent: string,
    readonly device: string,
  ) {
    client.on('message', (topic, payload) => {
      const env = JSON.parse(payload.toString()) as Envelope
      if (topic === topics.cmd(agent, 'ack', device) && env.corr !== undefined) {
        this.acks.set(env.corr, env)
        this.ackWaiters.get(env.corr)?.(env)
        this.ackWaiters.delete(env.corr)
      }
      if (topic === topics.cmd(agent, 'pickup', device))
        this.cmds.push({ at: Date.now(), pickup: (env.data as { pickup?: AckPickup }).pickup })
    })
  }

  static async connect(port: number, agent: string, secret: string, device = 'button'): Promise<Button> {
    const client = await mqtt.connectAsync({
      host: '127.0.0.1',
      port,
      clientId: agent,
      username: agent,
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    })
    // As the edge agent does (edge/src/link/mqtt-link.ts): without it Nagle's algorithm holds a press
    // behind the previous one's unacknowledged bytes, and latency reads 40 ms more than it is.
    ;(client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true)
    await client.subscribeAsync([topics.cmd(agent, 'ack', device), topics.cmd(agent, 'pickup', device)], {
      qos: 1,
    })
    return new Button(client, agent, device)
  }

  /** Presses and resolves with the ack's data once it arrives (10 s at most). */
  async press(kind: PressKind): Promise<{ outcome: string; pickup?: AckPickup }> {
    return (await this.timedPress(kind)).ack
  }

  /** Presses; resolves with the ack's data and the ms from publish to the ack's arrival. */
  async timedPress(kind: PressKind): Promise<{ ack: { outcome: string; pickup?: AckPickup }; ms: number }> {
    const env = makeEnvelope({
      agent: this.agent,
      device: this.device,
      type: 'press',
      session: 's',
      seq: this.seq++,
      data: { press: kind },
    })
    const arrived = new Promise<Envelope>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack of ${kind} press on ${this.agent}`)), 10_000)
      this.ackWaiters.set(env.id, (e) => {
        clearTimeout(timer)
        resolve(e)
      })
    })
    const sent = performance.now()
    await this.client.publishAsync(topics.event(this.agent, this.device, 'press'), JSON.stringify(env), {
      qos: 1,
    })
    const ack = await arrived
    return { ack: ack.data as { outcome: string; pickup?: AckPickup }, ms: performance.now() - sent }
  }

  /** Waits for a cmd/pickup (after the first `from` seen) that satisfies `pred`. */
  waitCmd(what: string, pred: (p: AckPickup | undefined) => boolean, from = 0): Promise<PickupCmdSeen> {
    return waitFor(`cmd/pickup on ${this.agent}: ${what}`, async () =>
      this.cmds.slice(from).find((c) => pred(c.pickup)),
    )
  }

  /** The agent's birth, as the edge publishes it: retained info listing its devices. */
  async birth(devices: Array<{ id: string; kind: string }> = [{ id: this.device, kind: 'button' }]) {
    const env = makeEnvelope({
      agent: this.agent,
      type: 'info',
      session: 's',
      seq: this.seq++,
      data: { version: 'test', configHash: 'x', devices },
    })
    await this.client.publishAsync(topics.info(this.agent), JSON.stringify(env), { qos: 1, retain: true })
  }
}
