// The ingest spine (DESIGN.md, delivery rules 2-5): validate every event, apply each event id at most
// once with the dedupe record and the domain change in one transaction, then answer with `cmd/ack`
// carrying the outcome. Events are applied in groups (group commit): while one transaction runs, the
// next batch gathers, so one fsync serves many events.

import type { Feature } from '@relais/hardware'
import {
  type Ack,
  backoffDelay,
  decodeMessage,
  type Envelope,
  filters,
  makeEnvelope,
  newMessageId,
  sleep,
  topics,
} from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import type { Database } from '../storage/schema.js'
import type { MessageBus, PointRecorder } from './bus.js'
import { IngestMetrics } from './metrics.js'

export interface IncomingEvent {
  agent: string
  device: string
  name: string
  message: Envelope
  receivedAt: number
  householdId: string | null
}

export interface HandlerResult {
  ack: Ack
  /** Extra tags for the event's time-series point. */
  tags?: Record<string, string>
  /** Runs after the commit (live updates, lookups); must not throw. */
  after?: () => void
}

/** A domain that consumes one event name. `apply` sees only events never applied before. */
export interface EventHandler {
  apply(trx: Kysely<Database>, events: IncomingEvent[], now: number): Promise<HandlerResult[]>
}

export interface EventIngestOptions {
  bus: MessageBus
  db: Db
  handlers: Record<string, EventHandler>
  log: Logger
  series?: PointRecorder
  batchMax: number
  dedupeRetentionDays: number
  metrics?: IngestMetrics
}

interface Outcome {
  event: IncomingEvent
  ack: Ack
  tags?: Record<string, string>
  after?: () => void
}

const RETRIES_BEFORE_SPLIT = 2
const EVENT_INTS = ['count', 'ingest_ms'] as const
const REJECT_INTS = ['count', 'bytes'] as const

export class EventIngest implements Feature {
  readonly name = 'ingest'
  readonly metrics: IngestMetrics
  private readonly log: Logger
  private readonly session = newMessageId().slice(0, 16)
  private seq = 0
  private queue: IncomingEvent[] = []
  private running?: Promise<void>
  private unsubscribe?: () => Promise<void>
  private pruneTimer?: NodeJS.Timeout
  private stopping = false

  constructor(private readonly o: EventIngestOptions) {
    this.metrics = o.metrics ?? new IngestMetrics()
    this.log = o.log.child({ module: 'ingest' })
  }

  async start(): Promise<void> {
    this.stopping = false
    this.unsubscribe = await this.o.bus.subscribe(filters.allEvents(), (topic, payload) =>
      this.receive(topic, payload),
    )
    this.pruneTimer = setInterval(() => void this.pruneDedupe(), 3600_000)
    this.pruneTimer.unref()
    void this.pruneDedupe()
  }

  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.pruneTimer)
    await this.unsubscribe?.()
    // Let the batch in hand commit and be acked; what is still queued is resent by the devices.
    await this.running
  }

  /** Pending events not yet in a transaction (for tests and health). */
  get backlog(): number {
    return this.queue.length
  }

  /** Resolves when everything received so far has been committed and acked. */
  async drain(): Promise<void> {
    while (this.running !== undefined || this.queue.length > 0) await (this.running ?? sleep(1))
  }

  receive(topic: string, payload: Buffer): void {
    this.metrics.received++
    const receivedAt = Date.now()
    const d = decodeMessage(topic, payload)
    if (!d.ok) {
      const agent = d.topic?.agent
      this.metrics.reject(d.code, agent)
      this.log.warn(
        { agent, topic, code: d.code, reason: d.reason, bytes: payload.length },
        'message rejected',
      )
      this.o.series?.record({
        measurement: 'reject',
        tags: { agent: agent ?? 'unknown', reason: d.code },
        fields: { count: 1, bytes: payload.length },
        ts: receivedAt,
        ints: REJECT_INTS,
      })
      // An envelope we could read gets an answer, so the device stops resending what will never pass.
      // The reply goes to the topic's agent and device, never to what the envelope claims.
      if (d.message !== undefined && d.topic?.kind === 'event') {
        const ack: Ack = { outcome: 'rejected', reason: d.code, detail: d.reason.slice(0, 300) }
        this.sendAck(d.topic.agent, d.topic.device, d.message.id, ack)
      }
      return
    }
    if (d.topic.kind !== 'event') return
    this.queue.push({
      agent: d.topic.agent,
      device: d.topic.device,
      name: d.topic.name,
      message: d.message,
      receivedAt,
      householdId: null,
    })
    if (this.running === undefined) this.running = this.flushLoop()
  }

  private async flushLoop(): Promise<void> {
    // Yield once so everything already read from the sockets joins the first batch.
    await new Promise((r) => setImmediate(r))
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.o.batchMax)
        await this.processWithRetry(batch)
      }
    } finally {
      this.running = undefined
    }
  }

  /**
   * Applies a batch; on failure retries it once after a back-off, then splits it in halves so one event
   * that cannot be applied does not hold back the others of its batch. What still fails is left
   * unacked: its device resends it with the same id, so nothing is lost and nothing counted twice.
   */
  private async processWithRetry(batch: IncomingEvent[], attempt = 1): Promise<void> {
    try {
      this.finish(await this.apply(batch))
      return
    } catch (err) {
      this.metrics.batchFailures++
      if (this.stopping) return
      if (attempt < RETRIES_BEFORE_SPLIT) {
        const delay = backoffDelay(attempt, { initialMs: 50, maxMs: 2000 })
        this.log.warn({ err, events: batch.length, attempt, delayMs: delay }, 'batch failed; retrying')
        await sleep(delay)
        return this.processWithRetry(batch, attempt + 1)
      }
      if (batch.length === 1) {
        const e = batch[0]!
        this.log.error(
          { err, agent: e.agent, device: e.device, msgId: e.message.id },
          'event failed; left for its device to resend',
        )
        return
      }
      const half = Math.ceil(batch.length / 2)
      await this.processWithRetry(batch.slice(0, half), RETRIES_BEFORE_SPLIT)
      await this.processWithRetry(batch.slice(half), RETRIES_BEFORE_SPLIT)
    }
  }

  private async apply(batch: IncomingEvent[]): Promise<Outcome[]> {
    const now = Date.now()
    return this.o.db.transaction().execute(async (trx) => {
      const outcomes: Array<Outcome | undefined> = new Array(batch.length)
      const agentIds = [...new Set(batch.map((e) => e.agent))]
      const agents = new Map(
        (
          await trx
            .selectFrom('agents')
            .select(['id', 'household_id', 'revoked_at'])
            .where('id', 'in', agentIds)
            .execute()
        ).map((a) => [a.id, a] as const),
      )
      const ids = [...new Set(batch.map((e) => e.message.id))]
      const previous = new Map<string, string>()
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx
          .selectFrom('processed_events')
          .select(['agent_id', 'event_id', 'outcome'])
          .where('event_id', 'in', ids.slice(i, i + 500))
          .execute()
        for (const r of rows) previous.set(`${r.agent_id}\n${r.event_id}`, r.outcome)
      }

      const firstInBatch = new Map<string, number>()
      const laterCopies: Array<[number, number]> = []
      const groups = new Map<string, number[]>()
      batch.forEach((e, i) => {
        const key = `${e.agent}\n${e.message.id}`
        const prev = previous.get(key)
        const agent = agents.get(e.agent)
        if (prev !== undefined) {
          outcomes[i] = { event: e, ack: { ...(JSON.parse(prev) as Ack), replayed: true } }
        } else if (firstInBatch.has(key)) {
          laterCopies.push([i, firstInBatch.get(key)!])
        } else if (agent === undefined || agent.revoked_at !== null) {
          outcomes[i] = { event: e, ack: { outcome: 'rejected', reason: 'unknown_agent' } }
        } else if (this.o.handlers[e.name] === undefined) {
          outcomes[i] = {
            event: e,
            ack: { outcome: 'rejected', reason: 'no_handler', detail: `no domain takes '${e.name}' events` },
          }
        } else {
          firstInBatch.set(key, i)
          e.householdId = agent.household_id
          const g = groups.get(e.name) ?? []
          g.push(i)
          groups.set(e.name, g)
        }
      })

      const fresh: Array<{ agent_id: string; event_id: string; received_at: number; outcome: string }> = []
      for (const [name, idx] of groups) {
        const results = await this.o.handlers[name]!.apply(
          trx,
          idx.map((i) => batch[i]!),
          now,
        )
        idx.forEach((i, k) => {
          const r = results[k]!
          const e = batch[i]!
          outcomes[i] = { event: e, ack: r.ack, tags: r.tags, after: r.after }
          fresh.push({
            agent_id: e.agent,
            event_id: e.message.id,
            received_at: now,
            outcome: JSON.stringify(r.ack),
          })
        })
      }
      for (const [i, first] of laterCopies)
        outcomes[i] = { event: batch[i]!, ack: { ...outcomes[first]!.ack, replayed: true } }
      for (let i = 0; i < fresh.length; i += 200) {
        await trx
          .insertInto('processed_events')
          .values(fresh.slice(i, i + 200))
          .execute()
      }
      return outcomes as Outcome[]
    })
  }

  private finish(outcomes: Outcome[]): void {
    this.metrics.batches++
    this.metrics.largestBatch = Math.max(this.metrics.largestBatch, outcomes.length)
    const now = Date.now()
    for (const o of outcomes) {
      const { event, ack } = o
      if (ack.replayed) this.metrics.replayed++
      else if (ack.outcome === 'rejected') this.metrics.reject(ack.reason ?? 'rejected', event.agent)
      else this.metrics.applied++
      this.sendAck(event.agent, event.device, event.message.id, ack)
      if (!ack.replayed) {
        this.o.series?.record({
          measurement: event.name,
          tags: { agent: event.agent, device: event.device, outcome: ack.outcome, ...o.tags },
          fields: { count: 1, ingest_ms: now - event.receivedAt },
          // Source time, so an outbox replayed after an outage lands where the scans happened.
          ts: event.message.ts,
          ints: EVENT_INTS,
        })
      }
      try {
        o.after?.()
      } catch (err) {
        this.log.error({ err, agent: event.agent, msgId: event.message.id }, 'post-commit step failed')
      }
    }
  }

  private sendAck(agent: string, device: string, corr: string, ack: Ack): void {
    const reply = makeEnvelope({
      agent,
      device,
      type: 'ack',
      session: this.session,
      seq: this.seq++,
      corr,
      data: ack,
    })
    this.o.bus
      .publish(topics.cmd(agent, 'ack', device), JSON.stringify(reply), { qos: 1, retain: false })
      .then(
        () => this.metrics.acksSent++,
        (err: unknown) => {
          // The device resends the event and gets the stored outcome again: a lost ack costs a replay.
          this.metrics.ackFailures++
          this.log.warn({ err, agent, device, msgId: corr }, 'ack publish failed')
        },
      )
  }

  private async pruneDedupe(): Promise<void> {
    const before = Date.now() - this.o.dedupeRetentionDays * 86_400_000
    try {
      const r = await this.o.db
        .deleteFrom('processed_events')
        .where('received_at', '<', before)
        .executeTakeFirst()
      if (r.numDeletedRows > 0n)
        this.log.info({ deleted: Number(r.numDeletedRows) }, 'old dedupe records pruned')
    } catch (err) {
      this.log.error({ err }, 'dedupe pruning failed; will retry in an hour')
    }
  }
}
