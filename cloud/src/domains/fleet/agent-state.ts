// Agent state in the cloud: who is online, since when, with which devices attached and how many events
// wait in their outboxes. Built from the retained topics of the contract (status, info, health, device
// status) through the MessageBus, kept in memory.
//
// Memory is enough: Aedes keeps retained messages in memory too, so after a cloud restart there is
// nothing to replay, and every agent publishes its birth again when it reconnects (STYLE.md habit 6).
// Until then an agent reads as offline: it has not connected since the cloud started. The last scan
// is not kept here: the list already stores it per item (see household-devices.ts).
import { decodeMessage, type Feature, filters, type Info } from '@relais/hardware'
import type { MessageBus, PointRecorder } from '../../ingest/bus.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { type AgentSnapshot, type AgentStateReader, emptySnapshot, reduceAgent } from './agent-snapshot.js'
import { FleetEvents } from './fleet-events.js'
import { recordBirth } from './registry.js'

export interface AgentStateOptions {
  bus: MessageBus
  db: Db
  log: Logger
  events?: FleetEvents
  now?: () => number
  /** Health history goes to the time series (InfluxDB or embedded), one point per health message. */
  series?: PointRecorder
}

/** Health fields that are counts; the rest are floats. InfluxDB fixes a field's type at first write. */
const HEALTH_INTS = [
  'uptime_s',
  'rss_bytes',
  'heap_used_bytes',
  'outbox_depth',
  'outbox_dropped',
  'outbox_inflight',
] as const

const FLEET_FILTERS = [
  filters.allAgentTopic('status'),
  filters.allAgentTopic('info'),
  filters.allAgentTopic('health'),
  filters.allDeviceStatus(),
]

const STATE_KINDS: ReadonlySet<string> = new Set(['status', 'info', 'health', 'device-status'])

export class AgentState implements Feature, AgentStateReader {
  readonly name = 'fleet'
  readonly events: FleetEvents
  /** Messages that failed the contract, by reject code; counted and logged, never thrown. */
  readonly invalid = new Map<string, number>()
  private readonly log: Logger
  private readonly now: () => number
  private readonly agents = new Map<string, AgentSnapshot>()
  private unsubscribes: Array<() => Promise<void>> = []
  private readonly births = new Set<Promise<void>>()
  private stopped = false

  constructor(private readonly o: AgentStateOptions) {
    this.events = o.events ?? new FleetEvents()
    this.log = o.log.child({ module: 'fleet' })
    this.now = o.now ?? Date.now
  }

  async start(): Promise<void> {
    this.stopped = false
    for (const filter of FLEET_FILTERS) {
      this.unsubscribes.push(
        await this.o.bus.subscribe(filter, (topic, payload) => this.receive(topic, payload)),
      )
    }
    // Every process keeps every agent's state (its pages show the whole fleet), but a health point is
    // written once: by the cluster node the agent is connected to, or one worker on an external broker.
    if (this.o.series !== undefined)
      this.unsubscribes.push(
        await this.o.bus.subscribe(
          filters.allAgentTopic('health'),
          (topic, payload) => this.receiveHealth(topic, payload),
          { share: true },
        ),
      )
  }

  async stop(): Promise<void> {
    this.stopped = true
    const subs = this.unsubscribes.splice(0)
    await Promise.all(subs.map((u) => u()))
  }

  get(agent: string): AgentSnapshot | undefined {
    return this.agents.get(agent)
  }

  /** Resolves when every birth received so far is written to the registry (for tests). */
  async birthsRecorded(): Promise<void> {
    await Promise.all(this.births)
  }

  /** Every agent heard from since the cloud started (for /metrics). */
  all(): IterableIterator<AgentSnapshot> {
    return this.agents.values()
  }

  get invalidTotal(): number {
    let n = 0
    for (const v of this.invalid.values()) n += v
    return n
  }

  /** One message from the bus. Never throws: one bad agent must not disturb the broker or the others. */
  receive(topic: string, payload: Buffer): void {
    try {
      const d = decodeMessage(topic, payload)
      // `+/+/status` also matches a command named status: not a state topic, and not ours to judge.
      if (d.topic !== undefined && !STATE_KINDS.has(d.topic.kind)) return
      if (!d.ok) {
        this.invalid.set(d.code, (this.invalid.get(d.code) ?? 0) + 1)
        this.log.warn(
          { agent: d.topic?.agent, topic, code: d.code, reason: d.reason, bytes: payload.length },
          'agent state message rejected',
        )
        return
      }
      const kind = d.topic.kind
      const agent = d.topic.agent
      const prev = this.agents.get(agent) ?? emptySnapshot(agent)
      if (kind === 'info') {
        const write = this.rememberBirth(agent, d.message.data as Info)
        this.births.add(write)
        void write.finally(() => this.births.delete(write))
      }
      const { next, visible } = reduceAgent(prev, d.topic, d.message, this.now())
      this.agents.set(agent, next)
      if (kind === 'status' && next !== prev) {
        this.log.info({ agent, online: next.online, session: next.session }, 'agent status')
      }
      if (visible) void this.announce(agent)
    } catch (err) {
      this.log.error({ err, topic }, 'agent state message failed')
    }
  }

  /** A health message's point for the time series; an invalid one is counted by receive(). */
  private receiveHealth(topic: string, payload: Buffer): void {
    const d = decodeMessage(topic, payload)
    if (!d.ok || d.topic.kind !== 'health') return
    this.recordHealth(d.topic.agent, d.message.ts, d.message.data as Record<string, unknown>)
  }

  private recordHealth(agent: string, ts: number, data: Record<string, unknown>): void {
    if (this.o.series === undefined) return
    const fields: Record<string, number | boolean> = {}
    for (const [k, v] of Object.entries(data)) {
      if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') fields[k] = v
    }
    if (Object.keys(fields).length === 0) return
    // A count sent as a float (1.5) would be refused by an integer field: round what is declared integer.
    for (const k of HEALTH_INTS)
      if (typeof fields[k] === 'number') fields[k] = Math.round(fields[k] as number)
    this.o.series.record({ measurement: 'health', tags: { agent }, fields, ts, ints: HEALTH_INTS })
  }

  /** The registry shows the last firmware and config hash while the agent is offline (births are rare). */
  private async rememberBirth(agent: string, info: Info): Promise<void> {
    try {
      await recordBirth(this.o.db, agent, info, this.now())
    } catch (err) {
      if (!this.stopped) this.log.error({ err, agent }, 'agent birth not recorded in the registry')
    }
  }

  /**
   * Tells open pages, with the agent's household read at the time of the change (agents may be moved
   * between households; a primary-key lookup per visible change is cheap, and changes are rare).
   */
  private async announce(agent: string): Promise<void> {
    try {
      const row = await this.o.db
        .selectFrom('agents')
        .select('household_id')
        .where('id', '=', agent)
        .executeTakeFirst()
      if (this.stopped) return
      this.events.emit('change', { agent, householdId: row?.household_id ?? null })
    } catch (err) {
      if (!this.stopped) this.log.error({ err, agent }, 'agent state change not announced')
    }
  }
}
