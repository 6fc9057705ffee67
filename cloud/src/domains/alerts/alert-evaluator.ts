// The evaluator: one loop, on an injected clock, that every `tickMs` declares availability (grace and
// silence timeouts), flushes it, evaluates the rules and reconciles the alerts. A start/stop feature;
// a tick catches everything and always reschedules (STYLE.md habit 5), so one failure costs one tick.
// Timers are not stored: every tick recomputes what is due from the clock and the stored times, which is
// why a restart needs nothing more than the open alerts loaded.
import type { Feature } from '@relais/hardware'
import type { IngestMetrics } from '../../ingest/metrics.js'
import type { Clock, TimerHandle } from '../../lib/clock.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import type { AvailabilityTracker } from '../availability/availability-tracker.js'
import type { AlertEngine } from './alert-engine.js'
import type { AlertSettings } from './alert-settings.js'
import type { HealthHistory } from './health-history.js'
import { evaluateRules } from './rules.js'
import { SlidingCount } from './sliding-count.js'

export interface AlertEvaluatorOptions {
  db: Db
  clock: Clock
  log: Logger
  settings: AlertSettings
  availability: AvailabilityTracker
  history: HealthHistory
  engine: AlertEngine
  /** Ingest's counters; rejects per agent are sampled each tick. */
  ingest?: () => IngestMetrics | undefined
}

export class AlertEvaluator implements Feature {
  readonly name = 'alerts'
  readonly authFailures: SlidingCount
  private readonly rejects: SlidingCount
  private readonly lastRejects = new Map<string, number>()
  private readonly log: Logger
  private timer: TimerHandle | undefined
  private running = false
  private inTick: Promise<void> | undefined
  /** Ticks run and failed since start, for tests and health. */
  readonly stats = { ticks: 0, failures: 0 }

  constructor(private readonly o: AlertEvaluatorOptions) {
    this.log = o.log.child({ module: 'alert-evaluator' })
    const now = o.clock.now()
    this.authFailures = new SlidingCount(o.settings.authFailures.windowMs, now)
    this.rejects = new SlidingCount(o.settings.rejects.windowMs, now)
    // Rejects counted before this start are history: only what comes after counts.
    for (const [agent, n] of o.ingest?.()?.rejectedByAgent ?? []) this.lastRejects.set(agent, n)
  }

  async start(): Promise<void> {
    await this.o.engine.load()
    this.running = true
    this.schedule(this.o.settings.tickMs)
  }

  async stop(): Promise<void> {
    this.running = false
    this.o.clock.clearTimeout(this.timer)
    await this.inTick
  }

  /** One evaluation now (tests call it after moving the clock; the loop calls it every tick). */
  async tick(): Promise<void> {
    const now = this.o.clock.now()
    this.sampleRejects(now)
    this.o.availability.settle(now)
    await this.o.availability.flush()
    const { active, ok } = evaluateRules(
      {
        now,
        agents: this.o.availability.all(),
        history: this.o.history,
        authFailures: {
          counts: this.authFailures.counts(now),
          complete: this.authFailures.complete(now),
        },
        rejects: { counts: this.rejects.counts(now), complete: this.rejects.complete(now) },
        open: this.o.engine.openAlerts(),
        revoked: await this.revoked(),
      },
      this.o.settings,
    )
    await this.o.engine.reconcile(active, ok, now)
  }

  private async revoked(): Promise<Set<string>> {
    const rows = await this.o.db
      .selectFrom('agents')
      .select('id')
      .where('revoked_at', 'is not', null)
      .execute()
    return new Set(rows.map((r) => r.id))
  }

  private schedule(ms: number): void {
    if (!this.running) return
    this.timer = this.o.clock.setTimeout(() => this.loop(), ms)
  }

  private async loop(): Promise<void> {
    this.timer = undefined
    const run = (async () => {
      try {
        this.stats.ticks++
        await this.tick()
      } catch (err) {
        this.stats.failures++
        this.log.error({ err }, 'alert evaluation failed; trying again next tick')
      }
    })()
    this.inTick = run
    await run
    this.schedule(this.o.settings.tickMs)
  }

  private sampleRejects(now: number): void {
    for (const [agent, total] of this.o.ingest?.()?.rejectedByAgent ?? []) {
      const before = this.lastRejects.get(agent) ?? 0
      this.lastRejects.set(agent, total)
      this.rejects.add(agent, now, total - before)
    }
  }
}
