// The webhook dispatcher (a start/stop Feature, wired in app/cloud.ts when RELAIS_WEBHOOK_URL is set):
// POSTs each queued transition notice (queue.ts) to the receiver, signed (signature.ts), in commit order
// per request, at least once. 2xx is delivered; anything else (a status, a refused connection, a
// timeout) is retried with the project's back-off (hardware's backoff.ts: exponential with jitter,
// 1 s doubling to a 10 min ceiling, a larger Retry-After honoured), for as long as it takes: the row is
// the retry state, so neither a restart nor a receiver down for days loses a notice. Requests are
// independent: a few go out at once, each strictly in order. Delivered rows are pruned after some days.
// Nothing here is pickup-specific: a dispatcher serves one channel of the queue (pickups by default;
// the alert notices of domains/alerts are another), each with its own URL and secret.
import { backoffDelay } from '@relais/hardware'
import type { Logger } from '../../../lib/logger.js'
import type { Db } from '../../../storage/db.js'
import { type DueDelivery, dueHeads, markDelivered, markFailed, nextDueAt, pruneDelivered } from './queue.js'
import { HEADER_DELIVERY, HEADER_SIGNATURE, HEADER_TIMESTAMP, signWebhook } from './signature.js'

export interface WebhookDispatcherOptions {
  db: Db
  url: string
  secret: string
  log: Logger
  /** Each POST's limit, connection included; default 10 s. */
  timeoutMs?: number
  /** Back-off between attempts of one delivery; default 1 s to 10 min. */
  retry?: { initialMs: number; maxMs: number }
  /** How often the table is looked at when nothing woke the dispatcher; default 1 s. */
  pollMs?: number
  /** POSTs in flight at once (each to a different request); default 4. */
  concurrency?: number
  /** Delivered rows are kept this long for ops staff; default 7 days. */
  keepDeliveredMs?: number
  /** How long stop() lets POSTs in flight finish before aborting them; default 2 s. */
  stopGraceMs?: number
  now?: () => number
  /** The queue's channel this dispatcher delivers (queue.ts); default 'pickups'. */
  channel?: string
}

const HOUR = 3_600_000

export class WebhookDispatcher {
  readonly name = 'webhooks'
  private readonly o: Required<Omit<WebhookDispatcherOptions, 'log' | 'db'>>
  private readonly log: Logger
  private running = false
  private loop?: Promise<void>
  private wake?: () => void
  private abort = new AbortController()
  private lastPrune = 0
  /** Attempts made and delivered since start, for tests and health. */
  readonly stats = { attempts: 0, delivered: 0, failed: 0 }

  constructor(private readonly opts: WebhookDispatcherOptions) {
    this.log = opts.log.child({ module: 'webhooks', channel: opts.channel ?? 'pickups' })
    this.o = {
      url: opts.url,
      secret: opts.secret,
      timeoutMs: opts.timeoutMs ?? 10_000,
      retry: opts.retry ?? { initialMs: 1000, maxMs: 600_000 },
      pollMs: opts.pollMs ?? 1000,
      concurrency: opts.concurrency ?? 4,
      keepDeliveredMs: opts.keepDeliveredMs ?? 7 * 24 * HOUR,
      stopGraceMs: opts.stopGraceMs ?? 2000,
      now: opts.now ?? Date.now,
      channel: opts.channel ?? 'pickups',
    }
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.abort = new AbortController()
    this.loop = this.run()
    this.log.info({ url: redact(this.o.url) }, 'webhook dispatcher started')
  }

  /** Look at the queue now rather than at the next poll (a transition was just committed). */
  kick(): void {
    this.wake?.()
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    this.wake?.()
    // POSTs in flight get a moment to finish; after that they are aborted and stay queued (sent again
    // after the restart, same id: receivers dedupe).
    const grace = setTimeout(() => this.abort.abort(new Error('dispatcher stopping')), this.o.stopGraceMs)
    try {
      await this.loop
    } finally {
      clearTimeout(grace)
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let progressed = false
      try {
        progressed = await this.pass()
        await this.maybePrune()
      } catch (err) {
        // A background loop never throws out (STYLE.md): log, wait, look again.
        this.log.error({ err }, 'webhook dispatch pass failed')
      }
      if (!this.running) break
      if (progressed) continue // a delivered head may have made its request's next row due
      await this.sleep(await this.idleDelay())
    }
  }

  /** One round of due heads, at most `concurrency` at once; true if any was delivered. */
  private async pass(): Promise<boolean> {
    const heads = await dueHeads(this.opts.db, this.o.now(), this.o.concurrency, this.o.channel)
    if (heads.length === 0) return false
    const results = await Promise.all(heads.map((d) => this.deliver(d)))
    return results.some(Boolean)
  }

  private async deliver(d: DueDelivery): Promise<boolean> {
    const timestamp = this.o.now()
    const timeout = new AbortController()
    const timer = setTimeout(
      () => timeout.abort(new Error(`timed out after ${this.o.timeoutMs} ms`)),
      this.o.timeoutMs,
    )
    const onStop = () => timeout.abort(this.abort.signal.reason)
    this.abort.signal.addEventListener('abort', onStop, { once: true })
    this.stats.attempts++
    let status: number | null = null
    let error = ''
    let retryAfterMs: number | undefined
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [HEADER_DELIVERY]: d.id,
          [HEADER_TIMESTAMP]: String(timestamp),
          [HEADER_SIGNATURE]: signWebhook(this.o.secret, timestamp, d.body),
        },
        body: d.body,
        // A redirect is a failure: the signed notice goes to the configured URL or nowhere.
        redirect: 'manual',
        signal: timeout.signal,
      })
      status = res.status
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), timestamp)
      await res.body?.cancel().catch(() => {})
      if (status >= 200 && status < 300) {
        await markDelivered(this.opts.db, d, status, this.o.now())
        this.stats.delivered++
        const log = d.attempts > 0 ? this.log.info.bind(this.log) : this.log.debug.bind(this.log)
        log(
          { deliveryId: d.id, requestId: d.requestId, status, attempt: d.attempts + 1 },
          'webhook delivered',
        )
        return true
      }
      error = `HTTP ${status}`
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } }
      error = timeout.signal.aborted
        ? String((timeout.signal.reason as Error)?.message ?? 'aborted')
        : (e.cause?.code ?? e.cause?.message ?? e.message)
    } finally {
      clearTimeout(timer)
      this.abort.signal.removeEventListener('abort', onStop)
    }
    const attempt = d.attempts + 1
    const delay = Math.max(
      backoffDelay(attempt, this.o.retry),
      Math.min(retryAfterMs ?? 0, this.o.retry.maxMs),
    )
    await markFailed(this.opts.db, d, { status, error, nextAt: this.o.now() + delay }, this.o.channel)
    this.stats.failed++
    this.log.warn(
      { deliveryId: d.id, requestId: d.requestId, status, error, attempt, retryInMs: delay },
      'webhook delivery failed; will retry',
    )
    return false
  }

  private async idleDelay(): Promise<number> {
    const next = await nextDueAt(this.opts.db, this.o.channel).catch(() => undefined)
    // Due already, yet the pass sent nothing: a row waiting behind its request's failed head (a
    // transition committed after the failure). The head's own time comes round at a poll.
    if (next === undefined || next <= this.o.now()) return this.o.pollMs
    return Math.max(10, Math.min(this.o.pollMs, next - this.o.now()))
  }

  private async maybePrune(): Promise<void> {
    const now = this.o.now()
    if (now - this.lastPrune < HOUR) return
    this.lastPrune = now
    const n = await pruneDelivered(this.opts.db, now - this.o.keepDeliveredMs, this.o.channel)
    if (n > 0) this.log.info({ pruned: n }, 'pruned delivered webhooks')
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }
}

/** Retry-After in seconds or as an HTTP date, as a delay from `now`. */
function parseRetryAfter(v: string | null, now: number): number | undefined {
  if (v === null) return undefined
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The URL for logs: no credentials or query (a receiver may put a token there). */
function redact(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname}`
}
