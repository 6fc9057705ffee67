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
import { LogThrottle } from '../lib/log-throttle.js'
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import { AFTER_FAILURE, type Applied, type IncomingEvent } from './batch-apply.js'
import type { MessageBus, PointRecorder } from './bus.js'
import { IngestMetrics } from './metrics.js'

export type { EventHandler, HandlerResult, IncomingEvent } from './batch-apply.js'

/** Where batches are applied: inline (PostgreSQL, tests) or in the SQLite writer thread. */
export interface BatchApplier {
  /**
   * Applies a batch. `resend` marks a batch sent again after a failure (its own or one before it).
   */
  apply(batch: IncomingEvent[], now: number, o?: { resend?: boolean }): Promise<Applied[]>
  /**
   * How many batches may be handed over before the first one is done (default 1). More than one only
   * for an applier that applies them one after another in the order given and, once one fails, refuses
   * (with AFTER_FAILURE) every batch not marked `resend` until one is: so nothing handed over behind a
   * failed batch is applied before it.
   */
  readonly depth?: number
  close(): Promise<void>
}

export interface EventIngestOptions {
  bus: MessageBus
  /** For housekeeping (pruning old dedupe records); batches go through the applier. */
  db: Db
  applier: BatchApplier
  /** Per event name: runs a committed result's `effect` (live views, lookups) on this thread. */
  effects?: Record<string, (effect: unknown) => void>
  /**
   * Per event name: deletes the domain's records of events received before `before` (epoch ms), which
   * are kept as long as the dedupe records (an undo history, say), and says how many went.
   */
  prunes?: Record<string, (db: Db, before: number) => Promise<number>>
  log: Logger
  series?: PointRecorder
  batchMax: number
  dedupeRetentionDays: number
  metrics?: IngestMetrics
}

const RETRIES_BEFORE_SPLIT = 2
/** How far ahead of the cloud's clock an event's time may be: NTP-synced devices are within seconds. */
const FUTURE_SKEW_MS = 5 * 60_000
/** Per agent and reason: one warning a minute, with the count of those not logged. */
const WARN_EVERY_MS = 60_000
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
  /** Set while the flush loop waits for the queue to reach `at` events (or a batch in hand to end). */
  private wake?: { at: number; resolve: () => void }
  /** Batches in a retry (their own failure or one before them); none is handed over meanwhile. */
  private retrying = 0
  private readonly warnings = new LogThrottle(WARN_EVERY_MS)
  private unsubscribe?: () => Promise<void>
  private pruneTimer?: NodeJS.Timeout
  private stopping = false

  constructor(private readonly o: EventIngestOptions) {
    this.metrics = o.metrics ?? new IngestMetrics()
    this.log = o.log.child({ module: 'ingest' })
  }

  async start(): Promise<void> {
    this.stopping = false
    this.unsubscribe = await this.o.bus.subscribe(
      filters.allEvents(),
      (topic, payload) => this.receive(topic, payload),
      { share: true },
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
      const w = this.warnings.take(`rejected\n${agent ?? ''}\n${d.code}`, receivedAt)
      if (w.log)
        this.log.warn(
          {
            agent,
            topic,
            code: d.code,
            reason: d.reason,
            bytes: payload.length,
            sinceLastLogged: w.sinceLastLogged,
          },
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
      if (d.topic?.kind === 'event') this.metrics.outcome(d.topic.name, 'rejected')
      if (d.message !== undefined && d.topic?.kind === 'event') {
        const ack: Ack = { outcome: 'rejected', reason: d.code, detail: d.reason.slice(0, 300) }
        this.sendAck(d.topic.agent, d.topic.device, d.message.id, ack, d.topic.name, receivedAt)
      }
      return
    }
    if (d.topic.kind !== 'event') return
    const { id, ts, data } = this.notFromTheFuture(d.topic.agent, d.topic.device, d.message, receivedAt)
    this.queue.push({
      agent: d.topic.agent,
      device: d.topic.device,
      name: d.topic.name,
      message: { id, ts, data },
      receivedAt,
      householdId: null,
      siteId: null,
    })
    if (this.running === undefined) this.running = this.flushLoop()
    else if (this.wake !== undefined && this.queue.length >= this.wake.at) this.wake.resolve()
  }

  /**
   * An event stamped ahead of the cloud's clock (a device whose clock is set wrong) is applied at the
   * time it arrived. Its own time would sit ahead of every later scan of its item (debounce, last scan),
   * open a presence stay in the future and put a point where retention never reaches; refusing it would
   * lose a real scan. Counted and logged with the agent, so the clock is seen and fixed.
   */
  private notFromTheFuture(agent: string, device: string, message: Envelope, receivedAt: number): Envelope {
    if (message.ts <= receivedAt + FUTURE_SKEW_MS) return message
    this.metrics.futureTimes++
    // A clock set wrong stamps every event.
    const w = this.warnings.take(`future\n${agent}`, receivedAt)
    if (w.log)
      this.log.warn(
        {
          agent,
          device,
          msgId: message.id,
          aheadMs: message.ts - receivedAt,
          sinceLastLogged: w.sinceLastLogged,
        },
        'event time ahead of the cloud clock; applied at its arrival',
      )
    return { ...message, ts: receivedAt }
  }

  /**
   * Hands batches to the applier. With a depth of two (the writer thread), the next batch is handed
   * over while the current one is applied, so the writer starts it the moment it commits instead of
   * waiting for the results to cross to this thread, the acks to go out and a batch to come back. The
   * second batch waits until it is half the size of the one in hand: handed over at its first event
   * it would be a batch of one, and the writer would alternate large and tiny batches, paying a commit
   * for each.
   */
  private async flushLoop(): Promise<void> {
    // Yield once so everything already read from the sockets joins the first batch.
    await new Promise((r) => setImmediate(r))
    const depth = this.o.applier.depth ?? 1
    const inHand = new Set<Promise<void>>()
    let previous: Promise<void> | undefined
    let lastSize = 0
    try {
      for (;;) {
        const want = Math.max(1, Math.ceil(Math.min(this.o.batchMax, lastSize / 2)))
        const ready = inHand.size === 0 ? this.queue.length > 0 : this.queue.length >= want
        // Nothing new is handed over while a batch in hand is being retried: it would overtake it.
        if (ready && inHand.size < depth && this.retrying === 0) {
          const batch = this.queue.splice(0, this.o.batchMax)
          lastSize = batch.length
          const done: Promise<void> = this.processWithRetry(batch, 1, previous).finally(() =>
            inHand.delete(done),
          )
          inHand.add(done)
          previous = done.catch(() => {})
          continue
        }
        if (inHand.size === 0) return
        // With no room for a batch (or one being retried), only a batch ending can change anything:
        // waking at every event received meanwhile would cost a turn of this loop per event.
        if (this.retrying > 0 || inHand.size >= depth) {
          await Promise.race(inHand)
          continue
        }
        const filled = new Promise<void>((resolve) => {
          this.wake = { at: want, resolve }
        })
        await Promise.race([...inHand, filled])
        this.wake = undefined
      }
    } finally {
      this.running = undefined
    }
  }

  /**
   * Applies a batch; on failure retries it once after a back-off, then splits it in halves so one event
   * that cannot be applied does not hold back the others of its batch. What still fails is left
   * unacked: its device resends it with the same id, so nothing is lost and nothing counted twice.
   * A failed batch is retried only once the batch handed over before it (`after`) has settled, so
   * events are applied in the order they came in; one refused because that batch failed is simply
   * sent again then.
   */
  private async processWithRetry(
    batch: IncomingEvent[],
    attempt = 1,
    after?: Promise<void>,
    resend = false,
  ): Promise<void> {
    try {
      const results = await this.o.applier.apply(batch, Date.now(), { resend: resend || attempt > 1 })
      this.finish(batch, results)
      return
    } catch (err) {
      this.retrying++
      try {
        await this.recover(batch, attempt, after, err)
      } finally {
        this.retrying--
      }
    }
  }

  private async recover(
    batch: IncomingEvent[],
    attempt: number,
    after: Promise<void> | undefined,
    err: unknown,
  ) {
    await after
    const refused = (err as { code?: unknown }).code === AFTER_FAILURE
    if (!refused) this.metrics.batchFailures++
    if (this.stopping) return
    if (refused) return await this.processWithRetry(batch, attempt, undefined, true)
    if (attempt < RETRIES_BEFORE_SPLIT) {
      const delay = backoffDelay(attempt, { initialMs: 50, maxMs: 2000 })
      this.log.warn({ err, events: batch.length, attempt, delayMs: delay }, 'batch failed; retrying')
      await sleep(delay)
      return await this.processWithRetry(batch, attempt + 1)
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

  private finish(batch: IncomingEvent[], outcomes: Applied[]): void {
    this.metrics.batches++
    this.metrics.largestBatch = Math.max(this.metrics.largestBatch, outcomes.length)
    const now = Date.now()
    outcomes.forEach((o, i) => {
      const event = batch[i]!
      const { ack } = o
      if (ack.replayed) this.metrics.replayed++
      else if (ack.outcome === 'rejected') this.metrics.reject(ack.reason ?? 'rejected', event.agent)
      else if (ack.outcome === 'refused') this.metrics.refuse(ack.reason ?? 'refused')
      else this.metrics.applied++
      this.metrics.outcome(event.name, ack.replayed ? 'replayed' : ack.outcome)
      this.sendAck(event.agent, event.device, event.message.id, ack, event.name, event.receivedAt)
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
      const effect = o.effect === undefined ? undefined : this.o.effects?.[event.name]
      try {
        effect?.(o.effect)
      } catch (err) {
        this.log.error({ err, agent: event.agent, msgId: event.message.id }, 'post-commit step failed')
      }
    })
  }

  private sendAck(
    agent: string,
    device: string,
    corr: string,
    ack: Ack,
    event: string,
    receivedAt: number,
  ): void {
    const reply = makeEnvelope({
      agent,
      device,
      type: 'ack',
      session: this.session,
      seq: this.seq++,
      corr,
      data: ack,
    })
    this.metrics.onAck?.(event, Date.now() - receivedAt)
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
    for (const [name, prune] of Object.entries(this.o.prunes ?? {})) {
      try {
        const deleted = await prune(this.o.db, before)
        if (deleted > 0) this.log.info({ event: name, deleted }, 'old event records pruned')
      } catch (err) {
        this.log.error({ err, event: name }, 'event record pruning failed; will retry in an hour')
      }
    }
  }
}
