// Test support for the ops page: lightweight agents speaking the contract over real MQTT.js connections
// (birth with a will saying offline, info naming devices and kinds, device statuses, health), which
// subscribe to their inbox and keep every command and config they receive, decoded by the contract.
import { randomUUID } from 'node:crypto'
import { decodeMessage, type Envelope, filters, makeEnvelope, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import { addAgent } from '../../src/domains/agents/agents.js'
import type { Db } from '../../src/storage/db.js'

export type Kind = 'scanner' | 'button' | 'beacon'
const DEVICE: Record<Kind, string> = { scanner: 'scanner-1', button: 'button', beacon: 'ble-0' }

export interface Received {
  topic: string
  ok: boolean
  message?: Envelope
}

export class OpsAgent {
  client?: MqttClient
  readonly received: Received[] = []
  private session = ''
  private seq = 0
  private waiters: Array<() => void> = []

  constructor(
    readonly agent: string,
    readonly kind: Kind,
    private readonly secret: string,
  ) {}

  get device(): string {
    return DEVICE[this.kind]
  }

  private env(type: string, data: unknown, device?: string): string {
    return JSON.stringify(
      makeEnvelope({ agent: this.agent, device, type, session: this.session, seq: this.seq++, data }),
    )
  }

  async connect(port: number): Promise<void> {
    this.session = randomUUID().slice(0, 12)
    const client = await mqtt.connectAsync({
      host: '127.0.0.1',
      port,
      clientId: this.agent,
      username: this.agent,
      password: this.secret,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: {
        topic: topics.status(this.agent),
        payload: Buffer.from(this.env('status', { state: 'offline' })),
        qos: 1,
        retain: true,
      },
    })
    client.on('error', () => {})
    client.on('message', (topic, payload) => {
      const d = decodeMessage(topic, payload)
      this.received.push({ topic, ok: d.ok, message: d.ok ? d.message : undefined })
      for (const w of this.waiters.splice(0)) w()
    })
    this.client = client
    await client.subscribeAsync(filters.agentInbox(this.agent), { qos: 1 })
    const retained = { qos: 1 as const, retain: true }
    await client.publishAsync(topics.status(this.agent), this.env('status', { state: 'online' }), retained)
    const devices = [{ id: this.device, kind: this.kind }]
    await client.publishAsync(
      topics.info(this.agent),
      this.env('info', { version: '1.4.2', configHash: 'c0ffee', devices }),
      retained,
    )
    await this.deviceStatus('attached')
  }

  deviceStatus(state: 'attached' | 'detached', detail?: string) {
    const data = { state, kind: this.kind, ...(detail ? { detail } : {}) }
    return this.client!.publishAsync(
      topics.deviceStatus(this.agent, this.device),
      this.env('status', data, this.device),
      { qos: 1, retain: true },
    )
  }

  health(fields: Record<string, number>) {
    return this.client!.publishAsync(topics.health(this.agent), this.env('health', fields), {
      qos: 0,
      retain: true,
    })
  }

  /** Drops the connection without DISCONNECT, so the broker sends its will (a power cut). */
  cut(): void {
    this.client?.stream.destroy()
  }

  /** Resolves with the first message received on `topic` that `pred` accepts. */
  waitFor(topic: string, pred: (r: Received) => boolean = () => true, timeoutMs = 10_000): Promise<Received> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.agent}: nothing on ${topic}`)), timeoutMs)
      const check = () => {
        const found = this.received.find((r) => r.topic === topic && pred(r))
        if (found) {
          clearTimeout(timer)
          resolve(found)
        } else this.waiters.push(check)
      }
      check()
    })
  }
}

/** Provisions an agent of `kind` with its placement and tags, not yet connected. */
export async function provision(
  db: Db,
  id: string,
  kind: Kind,
  o: { householdId?: string; siteId?: string; zoneId?: string; tags?: string[] } = {},
): Promise<OpsAgent> {
  const { secret } = await addAgent(db, { id, kind, ...o })
  return new OpsAgent(id, kind, secret)
}
