// Sends the outbox in order at QoS 1 and removes an entry only when the cloud's `cmd/ack` with its id
// arrives (DESIGN.md, delivery rule 2: not at PUBACK). Without an ack in time an entry is sent again
// with the same id; the cloud applies each id once, so a resend is harmless.
import { EventEmitter } from 'node:events'
import { type Ack, decodeMessage, type Envelope } from '@relais/hardware'
import type { Logger } from '../lib/logger.js'
import type { MqttLink } from '../link/mqtt-link.js'
import type { Outbox } from './outbox.js'

export interface SenderOptions {
  outbox: Outbox
  link: MqttLink
  log: Logger
  ackTimeoutMs: number
  inflight: number
  now?: () => number
}

export interface AckedEvent {
  id: string
  device: string | undefined
  ack: Ack
}

export class OutboxSender extends EventEmitter<{ acked: [AckedEvent] }> {
  readonly name = 'outbox-sender'
  private readonly sentAt = new Map<string, number>()
  private readonly acked: string[] = []
  private ackFlush?: NodeJS.Immediate
  private timer?: NodeJS.Timeout
  private pumping = false
  private readonly log: Logger
  private readonly now: () => number
  private readonly onConnected = () => {
    // A new connection: nothing sent before it can be trusted to arrive.
    this.sentAt.clear()
    this.pump()
  }
  private readonly onMessage = (topic: string, payload: Buffer) => this.receive(topic, payload)
  /** Sent, resent, acked and ack-less counts, for health and benchmarks. */
  readonly stats = { sent: 0, resent: 0, acked: 0, strayAcks: 0 }

  constructor(private readonly o: SenderOptions) {
    super()
    this.log = o.log.child({ module: 'sender' })
    this.now = o.now ?? Date.now
  }

  start(): void {
    this.o.link.on('connected', this.onConnected)
    this.o.link.on('message', this.onMessage)
    this.timer = setInterval(() => this.pump(), Math.max(50, Math.floor(this.o.ackTimeoutMs / 4)))
    this.pump()
  }

  stop(): void {
    this.o.link.off('connected', this.onConnected)
    this.o.link.off('message', this.onMessage)
    clearInterval(this.timer)
    if (this.ackFlush) clearImmediate(this.ackFlush)
    this.flushAcks()
  }

  get inflight(): number {
    return this.sentAt.size
  }

  /** Publishes what is due: entries never sent on this connection, and those whose ack is overdue. */
  pump(): void {
    if (this.pumping || !this.o.link.connected) return
    this.pumping = true
    try {
      const now = this.now()
      const window = this.o.inflight
      let busy = 0
      for (const [, at] of this.sentAt) if (now - at < this.o.ackTimeoutMs) busy++
      if (busy >= window) return
      for (const e of this.o.outbox.pending(window + this.sentAt.size)) {
        if (busy >= window) break
        const at = this.sentAt.get(e.id)
        if (at !== undefined && now - at < this.o.ackTimeoutMs) continue
        if (at !== undefined) this.stats.resent++
        else this.stats.sent++
        this.sentAt.set(e.id, now)
        busy++
        void this.o.link.publish(e.topic, e.payload, { qos: 1, retain: false })
      }
    } finally {
      this.pumping = false
    }
  }

  private receive(topic: string, payload: Buffer): void {
    const d = decodeMessage(topic, payload)
    if (!d.ok || d.topic.kind !== 'cmd' || d.topic.name !== 'ack') {
      if (!d.ok && d.topic?.kind === 'cmd')
        this.log.warn({ topic, reason: d.reason }, 'invalid command ignored')
      return
    }
    const message = d.message as Envelope<Ack>
    const id = message.corr
    if (id === undefined) return
    this.sentAt.delete(id)
    this.acked.push(id)
    this.ackFlush ??= setImmediate(() => {
      this.ackFlush = undefined
      this.flushAcks()
    })
    this.pendingAcks.set(id, { id, device: d.topic.device, ack: message.data })
  }

  private readonly pendingAcks = new Map<string, AckedEvent>()

  private flushAcks(): void {
    if (this.acked.length === 0) return
    const ids = this.acked.splice(0)
    const removed = new Set(this.o.outbox.ack(ids))
    for (const id of ids) {
      const a = this.pendingAcks.get(id)
      this.pendingAcks.delete(id)
      if (a === undefined) continue
      // An ack for an entry no longer here (a second ack of a resend) shows nothing twice.
      if (!removed.has(id)) {
        this.stats.strayAcks++
        continue
      }
      this.stats.acked++
      this.emit('acked', a)
    }
    this.pump()
  }
}
