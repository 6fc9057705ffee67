// Jobs that must run once however many cloud processes there are (broker nodes on Redis, ingest workers
// on an external broker): the round planner's ticks, webhook delivery, alert evaluation, retention. Two
// processes running them would send each webhook twice and raise each alert twice. The processes share
// PostgreSQL, so the one holding a session-level advisory lock leads: PostgreSQL frees the lock when the
// leader's connection ends (process killed, host gone, TCP keepalive expired), and a follower asking
// every `retryMs` takes over. With SQLite there is one process: it leads from the start.
import { backoffDelay, type Feature, sleep, startFeatures, stopFeatures } from '@relais/hardware'
import pg from 'pg'
import type { Logger } from '../lib/logger.js'

/** Any fixed 64-bit key no other lock on the database uses (write-tx.ts holds 0x52454c414953). */
const LEADER_LOCK = 0x52454c41494c // "RELAIL"

export interface LeadershipOptions {
  /** PostgreSQL (RELAIS_DATABASE_URL); undefined: a single process, always the leader. */
  url?: string
  /** Started when this process becomes the leader, stopped when it stops being one. Never critical. */
  features: Feature[]
  log: Logger
  /** How often a follower asks for the lock, and the leader checks its connection; default 5 s. */
  retryMs?: number
}

export class Leadership implements Feature {
  readonly name = 'leadership'
  private started: Feature[] = []
  private abort = new AbortController()
  private campaign?: Promise<void>
  /** How many times this process became the leader (for tests and the log). */
  terms = 0

  constructor(private readonly o: LeadershipOptions) {}

  private leading = false

  /** Whether this process leads now. */
  get leader(): boolean {
    return this.leading
  }

  async start(): Promise<void> {
    if (this.o.url === undefined) {
      await this.lead()
      return
    }
    this.abort = new AbortController()
    // Not awaited: a follower's boot must not wait for a leader to die.
    this.campaign = this.run(this.o.url, this.abort.signal)
  }

  async stop(): Promise<void> {
    this.abort.abort()
    await this.campaign
    await this.follow()
  }

  private async run(url: string, signal: AbortSignal): Promise<void> {
    const log = this.o.log
    const every = this.o.retryMs ?? 5000
    for (let failures = 0; !signal.aborted; ) {
      const client = new pg.Client({ connectionString: url, keepAlive: true, query_timeout: every })
      // An idle connection's failure arrives as an event; the next query then fails and ends the term.
      client.on('error', (err) => log.warn({ err: err.message }, 'leadership connection failed'))
      try {
        await client.connect()
        failures = 0
        while (!signal.aborted) {
          if (!this.leading) {
            const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
              LEADER_LOCK,
            ])
            if (r.rows[0]?.ok) {
              // A leader whose session was cut learns it at its next check, up to `every` later, plus
              // `every` for a query that hangs to time out: start after both, so two never run at once.
              await sleep(2 * every + 50, signal)
              await client.query('select 1')
              await this.lead()
            }
          } else {
            // The lock lives as long as this session: a query that fails means it may be someone else's.
            await client.query('select 1')
          }
          await sleep(every, signal)
        }
      } catch (err) {
        failures++
        log.warn({ err: (err as Error).message, leader: this.leading }, 'leadership: database unreachable')
      } finally {
        // Whatever ended the session ended the lock: stop leading before anyone else can start.
        await this.follow()
        await client.end().catch(() => {})
      }
      if (!signal.aborted)
        await sleep(backoffDelay(Math.max(1, failures), { maxMs: every * 2 }), signal).catch(() => {})
    }
  }

  private async lead(): Promise<void> {
    this.leading = true
    this.terms++
    this.o.log.info(
      { term: this.terms, features: this.o.features.map((f) => f.name) },
      'leading: jobs started',
    )
    this.started = await startFeatures(
      this.o.features.map((feature) => ({ feature, critical: false })),
      this.o.log,
    )
  }

  private async follow(): Promise<void> {
    if (!this.leading) return
    this.leading = false
    const started = this.started
    this.started = []
    await stopFeatures(started, this.o.log)
    this.o.log.info({ term: this.terms }, 'no longer leading: jobs stopped')
  }
}
