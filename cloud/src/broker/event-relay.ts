// Domain events across the nodes of a broker cluster (RELAIS_REDIS_URL). A node emits list, pickup and
// presence changes for what it ingested or was asked over HTTP; without this, a household page served by
// node B would not hear a scan ingested by node A, nor the leader's webhooks and Home Assistant bridge a
// press or a presence change on another node. Each relayed emit rides the brokers' own routing (the
// mqemitter on Redis) as a QoS 0 message under `$relais/events/`: `$` topics are the server's (MQTT
// 4.7.2), which no agent or account may publish or read (auth-hooks.ts), and a '#' or '+' filter never
// matches them (MQTT-4.7.2-1). Fleet changes are not relayed: every node already hears every agent's
// status and health. Best effort, as the live pages are: a relayed event lost with its node costs a page
// one refresh, never data.
import type { EventEmitter } from 'node:events'
import type { Feature } from '@relais/hardware'
import type { MessageBus } from '../ingest/bus.js'
import type { Logger } from '../lib/logger.js'

const PREFIX = '$relais/events'

export interface RelayedEvent {
  /** A topic level naming the emitter: 'lists', 'pickups', 'presence'. */
  source: string
  emitter: EventEmitter
  event: string
}

export interface EventRelayOptions {
  bus: MessageBus
  /** This node's id (its Aedes id): its own messages come back through Redis and are skipped. */
  nodeId: string
  relayed: RelayedEvent[]
  log: Logger
}

export class EventRelay implements Feature {
  readonly name = 'event-relay'
  private readonly stops: Array<() => void | Promise<void>> = []
  /** The payload being re-emitted from another node: not sent back out. */
  private incoming: unknown
  /** Relayed out and in, for tests and the log. */
  sent = 0
  received = 0

  constructor(private readonly o: EventRelayOptions) {}

  async start(): Promise<void> {
    const { bus, nodeId, log } = this.o
    const byKey = new Map(this.o.relayed.map((r) => [`${r.source}/${r.event}`, r]))
    for (const r of this.o.relayed) {
      const topic = `${PREFIX}/${nodeId}/${r.source}/${r.event}`
      const listener = (payload: unknown) => {
        if (payload === this.incoming) return
        this.sent++
        bus
          .publish(topic, JSON.stringify(payload), { qos: 0, retain: false })
          .catch((err: unknown) => log.debug({ err, topic }, 'event not relayed'))
      }
      r.emitter.on(r.event, listener)
      this.stops.push(() => void r.emitter.off(r.event, listener))
    }
    const unsubscribe = await bus.subscribe(`${PREFIX}/+/+/+`, (topic, payload) => {
      const [, , node, source, event] = topic.split('/')
      if (node === nodeId) return
      const r = byKey.get(`${source}/${event}`)
      if (r === undefined) return
      let parsed: unknown
      try {
        parsed = JSON.parse(payload.toString())
      } catch (err) {
        log.warn({ err, topic }, 'relayed event unreadable')
        return
      }
      this.received++
      this.incoming = parsed
      try {
        r.emitter.emit(r.event, parsed)
      } finally {
        this.incoming = undefined
      }
    })
    this.stops.push(unsubscribe)
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop()
  }
}
