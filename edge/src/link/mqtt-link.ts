// The agent's MQTT connection (DESIGN.md, status and info rows; STYLE: offline-tolerant edge).
// - The will is the agent's retained status saying offline; a clean shutdown publishes offline itself,
//   because a clean DISCONNECT discards the will (MQTT-3.14.4-3).
// - After every (re)connect the birth is published again: status online, info, device statuses, all
//   retained, so a cloud that restarted with an empty broker learns the current state.
// - Reconnects with back-off and jitter (one helper, @relais/hardware), forever: an unreachable broker
//   is a normal state on flaky Wi-Fi, never a reason to exit.
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { backoffDelay, filters, makeEnvelope, topics } from '@relais/hardware'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { Logger } from '../lib/logger.js'
import type { Session } from './session.js'

export interface LinkOptions {
  url: string
  agent: string
  username?: string
  secret: string
  caFile?: string
  keepaliveS: number
  log: Logger
  session: Session
  /** Retained messages to publish after each connect, after status online (info, device statuses). */
  birth: () => Array<{ topic: string; payload: string; qos: 0 | 1 }>
  backoff?: { initialMs?: number; maxMs?: number }
}

export interface LinkEvents {
  connected: []
  disconnected: [string]
  message: [string, Buffer]
}

export class MqttLink extends EventEmitter<LinkEvents> {
  private client?: MqttClient
  private attempt = 0
  private retryTimer?: NodeJS.Timeout
  private stopped = false
  private readonly log: Logger

  constructor(private readonly o: LinkOptions) {
    super()
    this.log = o.log.child({ module: 'link', agent: o.agent })
  }

  get connected(): boolean {
    return this.client?.connected === true
  }

  /** Starts connecting; returns at once. Connection state arrives as events. */
  start(): void {
    const { agent } = this.o
    const offline = this.status('offline')
    const opts: IClientOptions = {
      clientId: agent,
      username: this.o.username ?? agent,
      password: this.o.secret,
      keepalive: this.o.keepaliveS,
      clean: true,
      // Our own back-off decides when to reconnect; mqtt.js would retry at a fixed period.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      // Events wait in the outbox, not in mqtt.js's memory queue.
      queueQoSZero: false,
      will: {
        topic: topics.status(agent),
        payload: Buffer.from(offline),
        qos: 1,
        retain: true,
      },
    }
    if (this.o.caFile) opts.ca = readFileSync(this.o.caFile)
    const client = mqtt.connect(this.o.url, opts)
    this.client = client
    client.on('connect', () => void this.onConnect())
    client.on('message', (topic, payload) => this.emit('message', topic, payload))
    client.on('error', (err) =>
      this.log.warn({ err: err.message, code: (err as { code?: unknown }).code }, 'MQTT error'),
    )
    client.on('close', () => this.onClose())
  }

  private async onConnect(): Promise<void> {
    this.attempt = 0
    const client = this.client!
    // Acks and events are small writes: without noDelay, Nagle's algorithm holds each for up to 40 ms
    // (mqtt.js opens its sockets with the default).
    ;(client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true)
    const { agent } = this.o
    this.log.info({ url: this.o.url }, 'connected')
    try {
      await client.subscribeAsync(filters.agentInbox(agent), { qos: 1 })
      await this.publishBirth()
    } catch (err) {
      // The connection dropped during the birth; the next connect publishes it again.
      this.log.warn({ err: (err as Error).message }, 'birth interrupted')
      return
    }
    this.emit('connected')
  }

  /** The agent's retained status message (DESIGN.md, status row), serialised. */
  private status(state: 'online' | 'offline', reason?: string): string {
    const { agent, session } = this.o
    const data = reason === undefined ? { state } : { state, reason }
    return JSON.stringify(
      makeEnvelope({ agent, type: 'status', session: session.id, seq: session.next(), data }),
    )
  }

  /** Status online, then info and device statuses, all retained; after each connect and on `cmd/rebirth`. */
  async publishBirth(): Promise<void> {
    const client = this.client
    if (!client?.connected) return
    const { agent } = this.o
    await client.publishAsync(topics.status(agent), this.status('online'), { qos: 1, retain: true })
    for (const m of this.o.birth())
      await client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: true })
  }

  private onClose(): void {
    if (this.stopped) return
    this.emit('disconnected', 'connection closed')
    clearTimeout(this.retryTimer)
    this.attempt++
    const delay = backoffDelay(this.attempt, {
      initialMs: this.o.backoff?.initialMs ?? 1000,
      maxMs: this.o.backoff?.maxMs ?? 60_000,
    })
    this.log.info({ attempt: this.attempt, delayMs: delay }, 'disconnected; reconnecting after back-off')
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.client?.reconnect()
    }, delay)
  }

  /** Publishes when connected; resolves false (without queueing) when not. */
  async publish(topic: string, payload: string, o: { qos: 0 | 1; retain: boolean }): Promise<boolean> {
    const client = this.client
    if (!client?.connected) return false
    try {
      await client.publishAsync(topic, payload, o)
      return true
    } catch (err) {
      this.log.debug({ err: (err as Error).message, topic }, 'publish failed')
      return false
    }
  }

  /** Publishes the retained offline status itself (a clean disconnect cancels the will), then closes. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    const client = this.client
    if (!client) return
    if (client.connected) {
      const { agent } = this.o
      const offline = this.status('offline', 'shutdown')
      await Promise.race([
        client.publishAsync(topics.status(agent), offline, { qos: 1, retain: true }).catch(() => {}),
        new Promise((r) => setTimeout(r, 2000)),
      ])
    }
    // A graceful end sends DISCONNECT, so the broker drops the will and our 'shutdown' status stands. But
    // it waits for every QoS 1 publish mqtt.js still tracks, and one left over from a dropped connection
    // may never be acked: after 2 s the end is forced (the will then says offline). Nothing is lost:
    // unacked events stay in the outbox.
    const graceful = client.endAsync(false).then(
      () => true,
      () => false,
    )
    const ended = await Promise.race([
      graceful,
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
    ])
    if (!ended) await client.endAsync(true).catch(() => {})
  }
}
