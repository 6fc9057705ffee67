// A light simulated fridge scanner that speaks the wire contract directly: a scan now and then, each
// resent with the same id until its ack arrives (the delivery rule the edge outbox implements for real
// agents). For demos and load; tests of the agent itself run the real edge code with simulated drivers.
import { type Envelope, makeEnvelope, newMessageId, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'

export interface ScannerDeviceOptions {
  url: string
  agent: string
  secret: string
  device?: string
  /** Codes to pick from, as a scanner would read them. */
  codes: string[]
  /** Mean pause between scans; each pause is drawn between half and one and a half of it. */
  meanIntervalMs: number
  resendAfterMs?: number
  onAck?: (code: string, ack: Envelope) => void
}

export class ScannerDevice {
  private client?: MqttClient
  private timer?: NodeJS.Timeout
  private resendTimer?: NodeJS.Timeout
  private seq = 0
  private readonly session = newMessageId().slice(0, 16)
  private readonly pending = new Map<string, { env: Envelope; sentAt: number }>()
  private readonly device: string

  constructor(private readonly o: ScannerDeviceOptions) {
    this.device = o.device ?? 'scanner-1'
  }

  start(): void {
    const { agent } = this.o
    const offline = makeEnvelope({
      agent,
      type: 'status',
      session: this.session,
      seq: 0,
      data: { state: 'offline' },
    })
    this.client = mqtt.connect(this.o.url, {
      clientId: agent,
      username: agent,
      password: this.o.secret,
      reconnectPeriod: 2000,
      will: {
        topic: topics.status(agent),
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
    })
    this.client.on('connect', () => {
      this.client!.subscribe(topics.cmd(agent, 'ack', this.device), { qos: 1 })
      const online = makeEnvelope({
        agent,
        type: 'status',
        session: this.session,
        seq: this.seq++,
        data: { state: 'online' },
      })
      this.client!.publish(topics.status(agent), JSON.stringify(online), { qos: 1, retain: true })
    })
    this.client.on('message', (_topic, payload) => {
      const ack = JSON.parse(payload.toString()) as Envelope
      const p = ack.corr === undefined ? undefined : this.pending.get(ack.corr)
      if (p === undefined) return
      this.pending.delete(ack.corr!)
      this.o.onAck?.((p.env.data as { code: string }).code, ack)
    })
    this.client.on('error', () => {}) // reconnects on its own; the broker may be restarting
    this.scheduleScan()
    this.resendTimer = setInterval(() => this.resend(), this.o.resendAfterMs ?? 5000)
  }

  /** One scan now. */
  scan(code: string): string {
    const env = makeEnvelope({
      agent: this.o.agent,
      device: this.device,
      type: 'scan',
      session: this.session,
      seq: this.seq++,
      data: { code },
    })
    this.pending.set(env.id, { env, sentAt: Date.now() })
    this.send(env)
    return env.id
  }

  get unacked(): number {
    return this.pending.size
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    clearInterval(this.resendTimer)
    await this.client?.endAsync()
  }

  private send(env: Envelope): void {
    if (this.client?.connected) {
      this.client.publish(topics.event(this.o.agent, this.device, 'scan'), JSON.stringify(env), { qos: 1 })
    }
  }

  private resend(): void {
    const cutoff = Date.now() - (this.o.resendAfterMs ?? 5000)
    for (const p of this.pending.values()) if (p.sentAt < cutoff) this.send(p.env)
  }

  private scheduleScan(): void {
    const pause = this.o.meanIntervalMs * (0.5 + Math.random())
    this.timer = setTimeout(() => {
      const codes = this.o.codes
      if (codes.length > 0) this.scan(codes[Math.floor(Math.random() * codes.length)]!)
      this.scheduleScan()
    }, pause)
  }
}
