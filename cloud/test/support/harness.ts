// Test support: a real cloud in process on ephemeral loopback ports, a temp data dir, and logs captured
// as JSON lines so tests can assert what was (and was not) logged.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { type Envelope, makeEnvelope, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import pino from 'pino'
import { Cloud } from '../../src/app/cloud.js'
import { loadConfig } from '../../src/app/config.js'
import { addAgent } from '../../src/domains/agents/agents.js'
import { createHousehold } from '../../src/domains/households/households.js'
import { databaseEnv } from './database.js'

export interface TestCloud {
  cloud: Cloud
  dataDir: string
  /** RELAIS_DATA_DIR and, on a PostgreSQL run, RELAIS_DATABASE_URL: a CLI command's view of this cloud. */
  env: Record<string, string>
  logs: string[]
  household(id: string): Promise<{ token: string }>
  agent(id: string, household: string): Promise<{ username: string; secret: string }>
  connect(
    clientId: string,
    username: string,
    password: string,
    extra?: mqtt.IClientOptions,
  ): Promise<MqttClient>
  stop(): Promise<void>
}

export async function startTestCloud(env: Record<string, string> = {}): Promise<TestCloud> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-test-'))
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk))
      cb()
    },
  })
  const dbEnv = { RELAIS_DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) }
  const config = loadConfig({
    ...dbEnv,
    RELAIS_MQTT_PORT: '0',
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: '0',
    RELAIS_HTTP_HOST: '127.0.0.1',
    ...env,
  })
  const cloud = new Cloud(config, pino({ level: 'debug' }, sink))
  await cloud.start()
  const clients: MqttClient[] = []
  return {
    cloud,
    dataDir,
    env: dbEnv,
    logs,
    household: async (id) => ({ token: (await createHousehold(cloud.db, { id })).token }),
    agent: async (id, household) => {
      const r = await addAgent(cloud.db, { id, householdId: household })
      return { username: r.username, secret: r.secret }
    },
    connect: async (clientId, username, password, extra = {}) => {
      const c = await mqtt.connectAsync({
        host: '127.0.0.1',
        port: cloud.mqttPort,
        clientId,
        username,
        password,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...extra,
      })
      clients.push(c)
      return c
    },
    stop: async () => {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})))
      await cloud.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A minimal device speaking the contract: publishes scans and collects acks by `corr`. */
export class TestDevice {
  private seq = 0
  readonly acks = new Map<string, Envelope>()
  private waiters = new Map<string, (e: Envelope) => void>()

  constructor(
    readonly client: MqttClient,
    readonly agent: string,
    readonly device = 'scanner-1',
    readonly session = 'test-session',
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== topics.cmd(agent, 'ack', device)) return
      const env = JSON.parse(payload.toString()) as Envelope
      if (env.corr === undefined) return
      this.acks.set(env.corr, env)
      this.waiters.get(env.corr)?.(env)
      this.waiters.delete(env.corr)
    })
  }

  async subscribeAcks(): Promise<void> {
    await this.client.subscribeAsync(topics.cmd(this.agent, 'ack', this.device), { qos: 1 })
  }

  scanEnvelope(code: string, over: Partial<Envelope> = {}, data: Record<string, unknown> = {}): Envelope {
    return {
      ...makeEnvelope({
        agent: this.agent,
        device: this.device,
        type: 'scan',
        session: this.session,
        seq: this.seq++,
        data: { code, ...data },
      }),
      ...over,
    }
  }

  publish(env: Envelope | string, topic = topics.event(this.agent, this.device, 'scan')): Promise<unknown> {
    return this.client.publishAsync(topic, typeof env === 'string' ? env : JSON.stringify(env), { qos: 1 })
  }

  // A liveness bound, not a speed claim: the first batch waits for the writer thread to load, which
  // takes seconds on a loaded 2-core machine.
  waitAck(id: string, timeoutMs = 30_000): Promise<Envelope> {
    const have = this.acks.get(id)
    if (have) return Promise.resolve(have)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${id} within ${timeoutMs} ms`)), timeoutMs)
      this.waiters.set(id, (e) => {
        clearTimeout(timer)
        resolve(e)
      })
    })
  }

  /** Publishes a scan and resolves with its ack's data. */
  async scan(code: string, over: Partial<Envelope> = {}, data: Record<string, unknown> = {}) {
    const env = this.scanEnvelope(code, over, data)
    const wait = this.waitAck(env.id)
    await this.publish(env)
    return { id: env.id, ack: (await wait).data as Record<string, unknown> & { outcome: string } }
  }
}
