// The time-series feature (DESIGN delivery rule 5): record() is the hot path of ingest, so it only appends
// to a bounded buffer; a background loop writes batches through the sink, off that path. A sink that is
// down or slow costs buffered points, then the oldest of them (counted), never a blocked list update.

import type { Feature } from '@relais/hardware'
import { type BackoffOptions, backoffDelay } from '@relais/hardware'
import { RelaisError } from '../lib/errors.js'
import type { Logger } from '../lib/logger.js'
import { RingBuffer } from './buffer.js'
import { beforeDeadline, withTimeout } from './deadline.js'
import { Losses } from './losses.js'
import type { TimeSeriesOptions, TimeSeriesStats } from './options.js'
import { invalidReason, type Point } from './point.js'
import {
  checkDelete,
  type SeriesDelete,
  type SeriesQuery,
  type SeriesRow,
  SinkRejectedError,
} from './sink.js'

export class TimeSeries implements Feature {
  readonly name = 'timeseries'
  private readonly o: Required<Omit<TimeSeriesOptions, 'backoff'>> & { backoff: BackoffOptions }
  private readonly log: Logger
  private readonly waiting: RingBuffer<Point>
  private state: 'new' | 'running' | 'stopped' = 'new'
  private inFlight = 0
  private timer: NodeJS.Timeout | undefined
  private idle = false
  private tickDone: Promise<void> | undefined
  private failures = 0
  private readonly losses = new Losses()
  private written = 0
  private failedWrites = 0
  private lastError: string | undefined
  private lastFlushAt: number | undefined

  constructor(opts: TimeSeriesOptions) {
    if (!(opts.bufferMax >= 2)) throw new RangeError(`bufferMax ${opts.bufferMax} < 2`)
    this.o = {
      ...opts,
      writeTimeoutMs: opts.writeTimeoutMs ?? 30_000,
      stopDeadlineMs: opts.stopDeadlineMs ?? 2000,
      batchMax: Math.max(1, Math.min(opts.batchMax, opts.bufferMax - 1)),
      backoff: { initialMs: 500, maxMs: 30_000, ...opts.backoff },
    }
    this.log = opts.log.child({ module: 'timeseries', sink: opts.sink.name })
    this.waiting = new RingBuffer<Point>(opts.bufferMax)
  }

  /**
   * Queues one point: synchronous, O(1), never throws, never waits. Points recorded before start() are
   * kept and written once it runs; after stop() they are counted as dropped.
   */
  record(p: Point): void {
    try {
      const why = invalidReason(p)
      if (why !== undefined) this.losses.invalid(why)
      else if (this.state === 'stopped') this.losses.abandoned(1)
      else this.append(p)
    } catch (err) {
      this.losses.invalid(`record failed: ${String(err)}`)
    }
  }

  private append(p: Point): void {
    if (this.waiting.size + this.inFlight >= this.o.bufferMax) {
      this.waiting.shift()
      this.losses.overflow()
    }
    this.waiting.push(p)
    // A full batch is worth writing now rather than at the next interval.
    if (this.idle && this.waiting.size >= this.o.batchMax) this.schedule(0)
  }

  stats(): TimeSeriesStats {
    return {
      buffered: this.waiting.size + this.inFlight,
      written: this.written,
      dropped: this.losses.dropped,
      rejected: this.losses.rejected,
      failedWrites: this.failedWrites,
      lastError: this.lastError,
      lastFlushAt: this.lastFlushAt,
    }
  }

  /** Reads back through the same sink (charts, ops pages). */
  query(q: SeriesQuery): Promise<SeriesRow[]> {
    return this.o.sink.query(q)
  }

  /**
   * Deletes points, buffered and stored (a member's erasure, a retention limit). The buffer is filtered
   * before and after the write in flight lands, so no matching point is written after the deletion.
   * Throws when the sink is down or offers no deletion: the caller must know the points may remain.
   */
  async delete(d: SeriesDelete): Promise<void> {
    const { measurements, where, before } = checkDelete(d)
    const match = (p: Point) =>
      measurements.includes(p.measurement) &&
      (before === undefined || p.ts < before) &&
      Object.entries(where).every(([k, v]) => p.tags[k] === v)
    this.waiting.removeWhere(match)
    if (this.tickDone !== undefined) await this.tickDone
    this.waiting.removeWhere(match)
    if (this.o.sink.deleteWhere === undefined)
      throw new RelaisError(
        'timeseries_no_delete',
        `the ${this.o.sink.name} time series cannot delete points`,
        503,
      )
    await this.o.sink.deleteWhere(d)
  }

  async start(): Promise<void> {
    await this.o.sink.start()
    this.state = 'running'
    this.schedule(this.waiting.size >= this.o.batchMax ? 0 : this.o.flushIntervalMs)
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    const wasRunning = this.state === 'running'
    this.state = 'stopped'
    clearTimeout(this.timer)
    const deadline = Date.now() + this.o.stopDeadlineMs
    // The write in progress may be the last one needed; then flush what is left until the deadline.
    // A write still pending at the deadline is counted as dropped, even if it lands later.
    if (this.tickDone !== undefined) await beforeDeadline(this.tickDone, deadline)
    while (wasRunning && this.waiting.size > 0 && this.inFlight === 0 && Date.now() < deadline) {
      const ok = await beforeDeadline(this.writeBatch(deadline - Date.now()), deadline)
      if (ok !== true) break
    }
    const left = this.waiting.clear() + this.inFlight
    this.inFlight = 0
    this.losses.report(this.log, this.o.bufferMax)
    if (left > 0) {
      this.losses.abandoned(left)
      this.log.warn(
        { left, deadlineMs: this.o.stopDeadlineMs },
        'time series stopped with points unwritten: dropped',
      )
    }
    try {
      if (wasRunning) await this.o.sink.stop()
    } catch (err) {
      this.log.error({ err }, 'time-series sink failed to stop cleanly')
    }
    this.log.info(this.stats(), 'time series stopped')
  }

  private schedule(ms: number): void {
    if (this.state !== 'running') return
    clearTimeout(this.timer)
    this.idle = ms === this.o.flushIntervalMs
    this.timer = setTimeout(() => {
      this.tickDone = this.tick()
    }, ms)
    // stop() owns the lifecycle; a pending flush must not keep the process alive on its own.
    this.timer.unref()
  }

  /** One round of the loop. Catches everything and always reschedules. */
  private async tick(): Promise<void> {
    this.timer = undefined
    this.idle = false
    let next = this.o.flushIntervalMs
    try {
      this.losses.report(this.log, this.o.bufferMax)
      if (this.waiting.size > 0) {
        const ok = await this.writeBatch(this.o.writeTimeoutMs, true)
        if (!ok) next = backoffDelay(this.failures, this.o.backoff)
        else if (this.waiting.size >= this.o.batchMax) next = 0
      }
    } catch (err) {
      this.log.error({ err }, 'time-series flush loop failed; it carries on')
    } finally {
      this.schedule(next)
    }
  }

  /** Writes the oldest batch; true when the batch is done with (written or refused for good). */
  private async writeBatch(timeoutMs: number, background = false): Promise<boolean> {
    const batch = this.waiting.take(this.o.batchMax)
    this.inFlight = batch.length
    try {
      // Promise.resolve().then: a sink that throws synchronously is a failed write like any other.
      await withTimeout(
        Promise.resolve().then(() => this.o.sink.write(batch)),
        timeoutMs,
        `${this.o.sink.name} write`,
        background,
      )
      this.written += batch.length
      this.lastFlushAt = Date.now()
      if (this.failures > 0) this.log.info({ buffered: this.waiting.size }, 'time-series sink recovered')
      this.failures = 0
      return true
    } catch (err) {
      this.failedWrites++
      this.lastError = err instanceof Error ? err.message : String(err)
      if (err instanceof SinkRejectedError) {
        const lost = Math.min(batch.length, err.dropped ?? batch.length)
        this.written += batch.length - lost
        this.losses.refused(lost)
        this.log.error({ err, batch: batch.length, lost }, 'time-series store refused points: dropped')
        return true
      }
      // After stop() gave up on this batch (and counted it), a late failure has nothing to put back.
      if (this.state !== 'stopped') this.waiting.unshiftAll(batch)
      this.failures++
      this.log.warn(
        { err, attempt: this.failures, buffered: this.waiting.size },
        'time-series write failed; points kept for retry',
      )
      return false
    } finally {
      this.inFlight = 0
    }
  }
}
