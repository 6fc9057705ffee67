// A light simulated pickup button that speaks the wire contract directly (hardware/src/kinds/button.ts):
// one raw MQTT client with the agent's credentials, press events in proper envelopes, each resent with
// the same id until its ack arrives (the delivery rule the edge outbox implements for real agents), and
// a record of every ack and cmd/pickup it receives. For benches and scenarios that need many buttons
// cheaply; tests of the agent's own button feature run the real edge code with a simulated driver.
import { EventEmitter } from 'node:events'
import {
  type Ack,
  type AckPickup,
  decodeMessage,
  type Envelope,
  makeEnvelope,
  newMessageId,
  type PickupCmd,
  type PressKind,
  topics,
} from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'

export interface ButtonDeviceOptions {
  url: string
  agent: string
  secret: string
  /** Default 'button'. */
  device?: string
  /** Unacked presses are sent again after this long (default 5 s), and at once on every reconnect. */
  resendAfterMs?: number
}

export interface PressRecord {
  id: string
  press: PressKind
  /** performance.now() when the press was first published (undefined while it waits offline). */
  sentAt?: number
  ack?: Ack
  /** performance.now() when its ack arrived. */
  ackAt?: number
}

export interface PickupCmdRecord {
  /** performance.now() on arrival. */
  at: number
  env: Envelope<PickupCmd>
}

interface Events {
  ack: [record: PressRecord]
  pickup: [record: PickupCmdRecord]
  connect: []
}

export class ButtonDevice extends EventEmitter<Events> {
  readonly device: string
  /** Every press made, by event id, in order. */
  readonly presses = new Map<string, PressRecord>()
  readonly pickupCmds: PickupCmdRecord[] = []
  /** Messages from the cloud that broke the contract (should stay empty). */
  readonly invalid: string[] = []
  private client?: MqttClient
  private resendTimer?: NodeJS.Timeout
  private seq = 0
  private readonly session = newMessageId().slice(0, 16)
  private readonly pending = new Map<string, { env: Envelope; lastSent: number }>()
  private shown?: AckPickup

  constructor(private readonly o: ButtonDeviceOptions) {
    super()
    this.device = o.device ?? 'button'
  }

  get agent(): string {
    return this.o.agent
  }

  get connected(): boolean {
    return this.client?.connected === true
  }

  /** Presses not acknowledged yet. */
  get unacked(): number {
    return this.pending.size
  }

  /**
   * What the button shows: the newest pickup from an ack or a cmd/pickup. A message about the same
   * request that is older than what is shown (by `since`) does not take it back.
   */
  get pickup(): AckPickup | undefined {
    return this.shown
  }

  /** The last cmd/pickup received. */
  get lastCmd(): PickupCmd | undefined {
    return this.pickupCmds.at(-1)?.env.data
  }

  /** Connects in the background (as an agent does: it never waits for the broker). */
  start(): void {
    this.connect()
    this.resendTimer = setInterval(() => this.resend(false), this.o.resendAfterMs ?? 5000)
  }

  /** Resolves on the next connection (at once when connected). */
  waitConnected(): Promise<void> {
    if (this.connected) return Promise.resolve()
    return new Promise((resolve) => this.once('connect', resolve))
  }

  /** One press now; returns its event id. Offline, it waits and goes out on reconnect. */
  press(press: PressKind, heldMs?: number): string {
    const env = makeEnvelope({
      agent: this.o.agent,
      device: this.device,
      type: 'press',
      session: this.session,
      seq: this.seq++,
      data: heldMs === undefined ? { press } : { press, heldMs },
    })
    this.presses.set(env.id, { id: env.id, press })
    this.pending.set(env.id, { env, lastSent: 0 })
    this.send(env.id)
    return env.id
  }

  /** Resolves with the press's record once its ack is in. */
  acked(id: string): Promise<PressRecord> {
    const r = this.presses.get(id)
    if (r === undefined) return Promise.reject(new Error(`no press ${id}`))
    if (r.ack) return Promise.resolve(r)
    return new Promise((resolve) => {
      const on = (x: PressRecord) => {
        if (x.id !== id) return
        this.off('ack', on)
        resolve(x)
      }
      this.on('ack', on)
    })
  }

  /** The broker becomes unreachable for this button: the link is cut, presses wait. */
  async goOffline(): Promise<void> {
    const c = this.client
    this.client = undefined
    await c?.endAsync(true)
  }

  /** Back online: reconnects and sends every press still waiting for its ack. */
  goOnline(): void {
    if (!this.client) this.connect()
  }

  async stop(): Promise<void> {
    clearInterval(this.resendTimer)
    await this.goOffline()
  }

  private connect(): void {
    const { agent } = this.o
    const offline = makeEnvelope({
      agent,
      type: 'status',
      session: this.session,
      seq: 0,
      data: { state: 'offline' },
    })
    const client = mqtt.connect(this.o.url, {
      clientId: agent,
      username: agent,
      password: this.o.secret,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      will: {
        topic: topics.status(agent),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    })
    this.client = client
    client.on('connect', () => void this.onConnect(client))
    client.on('message', (topic, payload) => this.onMessage(topic, payload))
    client.on('error', () => {}) // reconnects on its own; the broker may be restarting
  }

  private async onConnect(client: MqttClient): Promise<void> {
    const { agent } = this.o
    try {
      await client.subscribeAsync(topics.cmd(agent, '+', this.device), { qos: 1 })
      // The birth: retained status and info, so the cloud knows the agent and re-sends cmd/pickup.
      const pub = (topic: string, type: string, data: unknown, device?: string) =>
        client.publishAsync(
          topic,
          JSON.stringify(makeEnvelope({ agent, device, type, session: this.session, seq: this.seq++, data })),
          { qos: 1, retain: true },
        )
      await pub(topics.status(agent), 'status', { state: 'online' })
      await pub(topics.info(agent), 'info', {
        version: 'sim-button',
        configHash: 'sim',
        devices: [{ id: this.device, kind: 'button' }],
      })
      await pub(
        topics.deviceStatus(agent, this.device),
        'status',
        { state: 'attached', kind: 'button' },
        this.device,
      )
    } catch {
      return // the connection dropped meanwhile; the next connect does it again
    }
    if (client !== this.client) return
    this.resend(true)
    this.emit('connect')
  }

  private onMessage(topic: string, payload: Buffer): void {
    const at = performance.now()
    const d = decodeMessage(topic, payload)
    if (!d.ok) {
      this.invalid.push(`${topic}: ${d.reason}`)
      return
    }
    const env = d.message as Envelope
    if (env.type === 'ack') {
      const r = env.corr === undefined ? undefined : this.presses.get(env.corr)
      if (r === undefined || r.ack !== undefined) return // a second ack for a resent press
      this.pending.delete(r.id)
      r.ack = env.data as Ack
      r.ackAt = at
      if (r.ack.pickup) this.show(r.ack.pickup)
      this.emit('ack', r)
    } else if (env.type === 'pickup') {
      const rec = { at, env: env as Envelope<PickupCmd> }
      this.pickupCmds.push(rec)
      if (rec.env.data.pickup) this.show(rec.env.data.pickup)
      this.emit('pickup', rec)
    }
  }

  private show(p: AckPickup): void {
    if (this.shown && this.shown.id === p.id && p.since < this.shown.since) return
    this.shown = p
  }

  private send(id: string): void {
    const p = this.pending.get(id)
    const c = this.client
    if (p === undefined || !c?.connected) return
    p.lastSent = performance.now()
    const r = this.presses.get(id)!
    r.sentAt ??= p.lastSent
    c.publish(topics.event(this.o.agent, this.device, 'press'), JSON.stringify(p.env), { qos: 1 })
  }

  private resend(all: boolean): void {
    const cutoff = performance.now() - (this.o.resendAfterMs ?? 5000)
    for (const [id, p] of this.pending) if (all || p.lastSent < cutoff) this.send(id)
  }
}
