// The cloud as a client of an external MQTT broker (RELAIS_BROKER_URL: Mosquitto, EMQX), in place of the
// embedded Aedes (DESIGN.md, storage and scale). MQTT 5, so that:
// - a subscription with `share` becomes `$share/<group>/<filter>` (MQTT 5, section 4.8.2): the broker
//   hands each event to one of the N cloud processes of the group, which split the load;
// - each subscription carries a Subscription Identifier (section 3.8.2.1.2) and every PUBLISH the ids of
//   the subscriptions it matched (section 3.3.4), so a message goes to exactly the handlers that asked for
//   it even when a shared and a plain subscription overlap (the broker may send one copy per subscription).
// The link reconnects for ever (MQTT.js reconnectPeriod) and subscribes again on every CONNACK: a clean
// session (Clean Start, expiry 0) keeps nothing across a drop. Publishing while disconnected fails at once
// with `broker_unavailable` rather than queueing without bound; an event whose ack is lost so is sent
// again by its device and acked as a replay (DESIGN.md, delivery rules 2 and 3).
import type { Feature } from '@relais/hardware'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import type { MessageBus, MessageHandler, SubscribeOptions } from '../ingest/bus.js'
import { RelaisError } from '../lib/errors.js'
import type { Logger } from '../lib/logger.js'
import { matches } from './topic-patterns.js'

export interface ExternalBusOptions {
  url: string
  username?: string
  password?: string
  /** Distinct per cloud process: a second CONNECT with the same id ends the first (MQTT-3.1.4-3). */
  clientId: string
  log: Logger
  /** The share name of `share` subscriptions; every cloud process of one deployment uses the same. */
  shareGroup?: string
  /** How long start() waits for the first CONNACK before the boot fails. */
  connectTimeoutMs?: number
  reconnectPeriodMs?: number
}

/** One MQTT subscription: a filter (and whether shared) with every handler attached to it. */
interface Subscription {
  id: number
  filter: string
  /** What goes on the wire: the filter, or `$share/<group>/<filter>`. */
  wire: string
  handlers: Set<MessageHandler>
}

export const DEFAULT_SHARE_GROUP = 'relais-ingest'

export class ExternalBus implements Feature, MessageBus {
  readonly name = 'external-broker'
  private client?: MqttClient
  private readonly log: Logger
  private readonly byWire = new Map<string, Subscription>()
  private readonly byId = new Map<number, Subscription>()
  private nextId = 1
  /** Reconnects since start, and whether the link is up now (for /metrics and /healthz). */
  reconnects = 0

  constructor(private readonly o: ExternalBusOptions) {
    this.log = o.log.child({ module: 'external-broker' })
  }

  get connected(): boolean {
    return this.client?.connected === true
  }

  async start(): Promise<void> {
    const { url, username, password, clientId } = this.o
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId,
      username,
      password,
      clean: true,
      reconnectPeriod: this.o.reconnectPeriodMs ?? 1000,
      connectTimeout: 10_000,
      // Subscriptions are ours to restore (resubscribe below), with their identifiers.
      resubscribe: false,
    }
    const client = mqtt.connect(url, options)
    this.client = client
    // While the broker is away each reconnect attempt fails with the same error: one warning says so.
    let down = false
    client.on('connect', () => {
      down = false
      this.log.info({ url, clientId, subscriptions: this.byWire.size }, 'connected to the external broker')
      void this.resubscribeAll()
    })
    client.on('reconnect', () => {
      this.reconnects++
    })
    client.on('offline', () => {
      if (!down) this.log.warn({ url, clientId }, 'external broker unreachable; reconnecting')
      down = true
    })
    client.on('error', (err) =>
      this.log[down ? 'debug' : 'warn']({ url, clientId, err: err.message }, 'external broker error'),
    )
    client.on('message', (topic, payload, packet) =>
      this.dispatch(topic, payload, packet.properties?.subscriptionIdentifier),
    )
    try {
      await waitForConnect(client, this.o.connectTimeoutMs ?? 15_000)
    } catch (err) {
      await client.endAsync(true)
      throw new Error(
        `RELAIS_BROKER_URL=${url}: no CONNACK from the external broker (${(err as Error).message}); check the URL, RELAIS_BROKER_USERNAME and RELAIS_BROKER_PASSWORD`,
      )
    }
  }

  async stop(): Promise<void> {
    const client = this.client
    this.client = undefined
    // Forced when the broker is away: a clean end would wait for PUBACKs that cannot come.
    await client?.endAsync(client.connected !== true)
  }

  async subscribe(
    filter: string,
    handler: MessageHandler,
    o: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    const wire = o.share ? `$share/${this.o.shareGroup ?? DEFAULT_SHARE_GROUP}/${filter}` : filter
    let sub = this.byWire.get(wire)
    if (sub === undefined) {
      // A second SUBSCRIBE of the same filter would replace the first and its identifier (MQTT-3.8.4-3):
      // handlers of one filter share one subscription.
      sub = { id: this.nextId++, filter, wire, handlers: new Set() }
      this.byWire.set(wire, sub)
      this.byId.set(sub.id, sub)
      sub.handlers.add(handler)
      // Not connected: the next CONNACK subscribes it.
      if (this.connected)
        await this.sendSubscribe(sub).catch((err: unknown) => {
          this.byWire.delete(wire)
          this.byId.delete(sub!.id)
          throw new Error(`the external broker refused the subscription ${wire}: ${(err as Error).message}`)
        })
    } else sub.handlers.add(handler)
    const entry = sub
    return async () => {
      entry.handlers.delete(handler)
      if (entry.handlers.size > 0 || this.byWire.get(entry.wire) !== entry) return
      this.byWire.delete(entry.wire)
      this.byId.delete(entry.id)
      if (this.connected) await this.client?.unsubscribeAsync(entry.wire).catch(() => undefined)
    }
  }

  /** Resolves at PUBACK (QoS 1); rejects at once while the broker is unreachable. */
  async publish(topic: string, payload: string | Buffer, o: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const client = this.client
    if (client === undefined || !client.connected)
      throw new RelaisError(
        'broker_unavailable',
        `external broker ${this.o.url} unreachable: ${topic} not published`,
        503,
      )
    await client.publishAsync(topic, payload, { qos: o.qos, retain: o.retain })
  }

  private async sendSubscribe(sub: Subscription): Promise<void> {
    // QoS 1: an event is delivered until acknowledged, to this consumer or, once its session is gone, to
    // none: its device then sends it again (DESIGN.md, delivery rule 2).
    await this.client!.subscribeAsync(sub.wire, {
      qos: 1,
      properties: { subscriptionIdentifier: sub.id },
    })
  }

  private async resubscribeAll(): Promise<void> {
    for (const sub of [...this.byWire.values()]) {
      try {
        await this.sendSubscribe(sub)
      } catch (err) {
        // A refused filter (the cloud's login lacks a read ACL) is a deployment error to see at once.
        this.log.error(
          { filter: sub.wire, err: (err as Error).message },
          'subscription refused by the broker',
        )
      }
    }
  }

  private dispatch(topic: string, payload: Buffer, ids: number | number[] | undefined): void {
    const subs =
      ids === undefined
        ? // A broker without subscription identifiers: every subscription whose filter matches.
          [...this.byWire.values()].filter((s) => matches(s.filter, topic))
        : (Array.isArray(ids) ? ids : [ids]).flatMap((id) => this.byId.get(id) ?? [])
    for (const sub of subs)
      for (const handler of sub.handlers) {
        try {
          handler(topic, payload)
        } catch (err) {
          this.log.error({ err, topic }, 'subscriber failed')
        }
      }
  }
}

function waitForConnect(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
    const onConnect = () => done()
    const onError = (err: Error) => {
      // CONNACK refusals (bad login) will not get better by retrying; network errors may.
      if ('code' in err && typeof err.code === 'number') done(err)
    }
    const done = (err?: Error) => {
      clearTimeout(timer)
      client.off('connect', onConnect)
      client.off('error', onError)
      if (err) reject(err)
      else resolve()
    }
    client.on('connect', onConnect)
    client.on('error', onError)
  })
}
