// Tells a pickup button what became of its request outside a press (`cmd/pickup`, QoS 1, not retained;
// hardware/src/kinds/button.ts), and again after every birth of its agent, so a button that was
// offline or restarted shows the truth (its latest request of the last day, or nothing).
import {
  decodeMessage,
  filters,
  type Info,
  makeEnvelope,
  newMessageId,
  type PickupCmd,
  topics,
} from '@relais/hardware'
import type { MessageBus } from '../../ingest/bus.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import type { PickupRequestsTable } from '../../storage/schema.js'
import { ackPickup } from './press-handler.js'

/** The device kind an agent's `info` gives a pickup button. */
export const BUTTON_KIND = 'button'
const DAY_MS = 86_400_000

export interface ButtonNotifierOptions {
  bus: MessageBus
  db: Db
  log: Logger
  now: () => number
}

export class ButtonNotifier {
  private readonly session = newMessageId().slice(0, 16)
  private seq = 0
  private unsubscribe?: () => Promise<void>

  constructor(private readonly o: ButtonNotifierOptions) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.o.bus.subscribe(filters.allAgentTopic('info'), (topic, payload) => {
      void this.onBirth(topic, payload)
    })
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.()
    this.unsubscribe = undefined
  }

  /** Publishes the request's state to its button. Never throws: a lost message is repaired at rebirth. */
  send(r: PickupRequestsTable): Promise<void> {
    return this.publish(r.agent_id, r.device_id, { pickup: ackPickup(r) })
  }

  private async publish(agent: string, device: string, data: PickupCmd): Promise<void> {
    const env = makeEnvelope({ agent, device, type: 'pickup', session: this.session, seq: this.seq++, data })
    try {
      await this.o.bus.publish(topics.cmd(agent, 'pickup', device), JSON.stringify(env), {
        qos: 1,
        retain: false,
      })
    } catch (err) {
      this.o.log.warn({ err, agent, device, requestId: data.pickup?.id }, 'cmd/pickup not published')
    }
  }

  /** An agent's birth (`info`): re-send each of its buttons' latest request of the last day. */
  private async onBirth(topic: string, payload: Buffer): Promise<void> {
    try {
      const d = decodeMessage(topic, payload)
      if (!d.ok || d.topic.kind !== 'info') return
      const agent = d.topic.agent
      const row = await this.o.db
        .selectFrom('agents')
        .select(['site_id', 'revoked_at'])
        .where('id', '=', agent)
        .executeTakeFirst()
      if (row?.site_id == null || row.revoked_at !== null) return
      const since = this.o.now() - DAY_MS
      const latest = await this.o.db
        .selectFrom('pickup_requests')
        .selectAll()
        .where('agent_id', '=', agent)
        .where('updated_at', '>', since)
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc')
        .execute()
      const byDevice = new Map<string, PickupRequestsTable>()
      for (const r of latest) if (!byDevice.has(r.device_id)) byDevice.set(r.device_id, r)
      // An open request outlives the day (it may wait for tomorrow's round): always the truth to show.
      const open = await this.o.db
        .selectFrom('pickup_requests')
        .selectAll()
        .where('agent_id', '=', agent)
        .where('state', 'in', ['requested', 'scheduled'])
        .execute()
      for (const r of open) byDevice.set(r.device_id, r)
      // Its buttons, and any device of it that has a request (whatever kind it says it is).
      const devices = (d.message.data as Info).devices
        .filter((x) => x.kind === BUTTON_KIND || byDevice.has(x.id))
        .map((x) => x.id)
      for (const device of devices) {
        const r = byDevice.get(device)
        await this.publish(agent, device, r ? { pickup: ackPickup(r) } : {})
      }
      this.o.log.debug({ agent, buttons: devices.length }, 'pickup state re-sent after birth')
    } catch (err) {
      this.o.log.error({ err, topic }, 'pickup state not re-sent after birth')
    }
  }
}
