// The retained messages the Home Assistant bridge has published, so it sends only what changed and knows
// what to clear. Memory is enough: the embedded broker keeps retained messages in memory too, so after a
// restart both are empty together (agent-state.ts says the same of agent state).
import type { MessageBus } from '../../ingest/bus.js'
import type { Logger } from '../../lib/logger.js'

export class RetainedSet {
  private readonly sent = new Map<string, string>()

  constructor(
    private readonly bus: MessageBus,
    private readonly log: Logger,
  ) {}

  has(topic: string): boolean {
    return this.sent.has(topic)
  }

  topics(): string[] {
    return [...this.sent.keys()]
  }

  /**
   * Publishes a retained message unless the same was sent before (`force`: send it anyway, as after HA's
   * birth). Never throws: a failed publish is logged and left unrecorded, so the next sync sends it again.
   */
  async put(topic: string, payload: string, force = false): Promise<void> {
    if (!force && this.sent.get(topic) === payload) return
    try {
      await this.bus.publish(topic, payload, { qos: 1, retain: true })
      this.sent.set(topic, payload)
    } catch (err) {
      this.sent.delete(topic)
      this.log.warn({ err, topic }, 'retained message not published; sent again at the next sync')
    }
  }

  /** An empty retained payload deletes the broker's copy, and for a discovery config HA's entity. */
  async clear(topic: string): Promise<void> {
    if (!this.sent.has(topic)) return
    try {
      await this.bus.publish(topic, '', { qos: 1, retain: true })
      this.sent.delete(topic)
    } catch (err) {
      this.log.warn({ err, topic }, 'retained message not cleared; cleared again at the next sync')
    }
  }
}
