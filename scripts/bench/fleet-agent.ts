// One lightweight fleet agent: an MQTT.js connection that behaves on the wire like an edge agent (will,
// retained birth, health on a timer, scans that wait for their cmd/ack) without the agent's outbox,
// drivers or SQLite, so one process holds thousands. Used by fleet-worker.ts.
import { createConnection } from 'node:net'
import { makeEnvelope, topics } from '@relais/hardware'
import { MqttClient } from 'mqtt'
import { DEVICE, ScanSource } from './workload.js'

export interface AgentSetup {
  port: number
  agent: string
  username?: string
  password?: string
  codes: string[]
  t0: number
  session: string
  /** Health period in seconds; 0 = no health (the Mosquitto ceiling's clients). */
  healthS: number
  /** Birth (status, info) and the ack subscription; off for the Mosquitto ceiling. */
  birth: boolean
}

export type AckHandler = (latencyMs: number, outcome: string) => void

export class FleetAgent {
  readonly pending = new Map<string, bigint>()
  unmatched = 0
  publishErrors = 0
  healthSent = 0
  onAck: AckHandler = () => {}
  private seq = 0
  private healthTimer?: NodeJS.Timeout
  private readonly source: ScanSource
  private readonly startedAt = Date.now()

  private constructor(
    private readonly client: MqttClient,
    private readonly s: AgentSetup,
  ) {
    this.source = new ScanSource(s.agent, s.codes, s.t0, s.session)
    client.on('message', (topic, payload) => this.take(topic, payload))
  }

  static async connect(s: AgentSetup): Promise<FleetAgent> {
    const offline = makeEnvelope({
      agent: s.agent,
      type: 'status',
      session: s.session,
      seq: 0,
      data: { state: 'offline' },
    })
    // noDelay for the same reason as load.ts: Nagle's algorithm would add tens of ms to each round trip.
    const socket = () => createConnection({ host: '127.0.0.1', port: s.port, noDelay: true })
    const client = new MqttClient(socket, {
      clientId: s.agent,
      // The Mosquitto ceiling's clients are anonymous: no username at all rather than an empty one.
      username: s.username || undefined,
      password: s.password || undefined,
      keepalive: 60,
      clean: true,
      reconnectPeriod: 0,
      // 10,000 first connects each cost the cloud an scrypt check: the last ones wait their turn.
      connectTimeout: 300_000,
      queueQoSZero: false,
      will: s.birth
        ? {
            topic: topics.status(s.agent),
            payload: Buffer.from(JSON.stringify(offline)),
            qos: 1,
            retain: true,
          }
        : undefined,
    })
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
      client.once('close', () => reject(new Error(`${s.agent}: connection closed before CONNACK`)))
    })
    client.removeAllListeners('error')
    // A broken connection is counted by the worker through `closed`, never thrown from an emitter.
    client.on('error', () => {})
    const a = new FleetAgent(client, s)
    if (s.birth) await a.birth()
    if (s.healthS > 0) a.scheduleHealth(Math.random() * s.healthS * 1000)
    return a
  }

  get closed(): boolean {
    return !this.client.connected
  }

  /** Sends the next scan at QoS 1 and remembers when, to time its ack. */
  scan(): void {
    const { id, payload } = this.source.next()
    this.pending.set(id, process.hrtime.bigint())
    this.client.publish(this.source.topic, payload, { qos: 1 }, (err) => {
      if (err) this.publishErrors++
    })
  }

  /** A bare QoS 1 publish for the Mosquitto ceiling: `done` runs at its PUBACK. */
  publishRaw(done: (ok: boolean) => void): void {
    const { payload } = this.source.next()
    this.client.publish(this.source.topic, payload, { qos: 1 }, (err) => done(!err))
  }

  async close(): Promise<void> {
    clearTimeout(this.healthTimer)
    await this.client.endAsync(true).catch(() => {})
  }

  private async birth(): Promise<void> {
    const { agent } = this.s
    await this.client.subscribeAsync(topics.cmd(agent, 'ack', DEVICE), { qos: 1 })
    const status = this.envelope('status', { state: 'online' })
    const info = this.envelope('info', {
      version: 'fleet-bench',
      configHash: 'none',
      devices: [{ id: DEVICE, kind: 'scanner' }],
    })
    await this.client.publishAsync(topics.status(agent), status, { qos: 1, retain: true })
    await this.client.publishAsync(topics.info(agent), info, { qos: 1, retain: true })
  }

  /** Health every healthS, each period jittered by +-10% so thousands of agents never tick together. */
  private scheduleHealth(firstMs: number): void {
    this.healthTimer = setTimeout(() => {
      if (this.client.connected) {
        const health = this.envelope('health', {
          uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
          rss_bytes: 40_000_000 + (this.seq % 1000),
          outbox_depth: this.pending.size,
          outbox_dropped: 0,
          clock_synced: true,
        })
        // QoS 0, retained: the contract's health row.
        this.client.publish(topics.health(this.s.agent), health, { qos: 0, retain: true })
        this.healthSent++
      }
      this.scheduleHealth(this.s.healthS * 1000 * (0.9 + Math.random() * 0.2))
    }, firstMs)
    this.healthTimer.unref()
  }

  private envelope(type: string, data: unknown): string {
    const { agent, session } = this.s
    return JSON.stringify(makeEnvelope({ agent, type, session, seq: this.seq++, data }))
  }

  private take(topic: string, payload: Buffer): void {
    if (topic !== this.source.ackTopic) return
    const at = process.hrtime.bigint()
    const ack = JSON.parse(payload.toString()) as { corr?: string; data?: { outcome?: unknown } }
    const sent = ack.corr === undefined ? undefined : this.pending.get(ack.corr)
    if (sent === undefined) {
      this.unmatched++
      return
    }
    this.pending.delete(ack.corr!)
    this.onAck(Number(at - sent) / 1e6, String(ack.data?.outcome ?? 'missing'))
  }
}
