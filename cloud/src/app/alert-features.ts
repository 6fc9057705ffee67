// Availability and alerts as features for the composition root (cloud.ts): the availability tracker (it
// listens to the bus and the broker's connection events), the alert evaluator (one loop on the clock:
// declares offline, evaluates the rules, raises, repeats and clears), and the alert webhook dispatcher
// when RELAIS_ALERT_WEBHOOK_URL is set. None is critical: without them lists and pickups work as before.
import type { Feature } from '@relais/hardware'
import type { Aedes } from 'aedes'
import { AlertEngine } from '../domains/alerts/alert-engine.js'
import { AlertEvaluator } from '../domains/alerts/alert-evaluator.js'
import type { AlertSettings } from '../domains/alerts/alert-settings.js'
import { HealthHistory } from '../domains/alerts/health-history.js'
import { AvailabilityTracker } from '../domains/availability/availability-tracker.js'
import { WebhookDispatcher } from '../domains/pickups/webhooks/dispatcher.js'
import type { AlertApiDeps } from '../http/routes/alerts.js'
import type { MessageBus } from '../ingest/bus.js'
import type { IngestMetrics } from '../ingest/metrics.js'
import { type Clock, realClock } from '../lib/clock.js'
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import type { TimeSeries } from '../timeseries/time-series.js'
import type { CloudConfig } from './config.js'

export interface AlertWiringDeps {
  config: CloudConfig
  log: Logger
  clock?: Clock
  db: () => Db
  bus: () => MessageBus
  /** The embedded broker's connection events; undefined with an external broker (availability then
   * goes by status messages and silence only). */
  aedes: () => Aedes | undefined
  ingest: () => IngestMetrics | undefined
  /** The health history in the time series: battery trends survive a restart. */
  series?: () => TimeSeries | undefined
}

export class AlertWiring {
  availability?: AvailabilityTracker
  engine?: AlertEngine
  evaluator?: AlertEvaluator
  dispatcher?: WebhookDispatcher
  readonly clock: Clock
  readonly settings: AlertSettings

  constructor(private readonly d: AlertWiringDeps) {
    this.clock = d.clock ?? realClock
    const { webhook: _webhook, ...alerts } = d.config.alerts
    this.settings = { ...alerts, timeZone: d.config.pickups.timeZone }
  }

  features(): Array<{ feature: Feature; critical: boolean }> {
    const { config, log } = this.d
    const history = new HealthHistory({
      trendWindowMs: this.settings.trendWindowMs,
      // About 170 readings per agent over the window (hourly for a week): a line fit needs no more,
      // and thousands of battery agents stay within a few tens of MB.
      sampleEveryMs: Math.max(60_000, this.settings.trendWindowMs / 168),
      depthReports: this.settings.backlogReports,
    })
    const availability: Feature = {
      name: 'availability',
      start: async () => {
        this.availability = new AvailabilityTracker({
          bus: this.d.bus(),
          aedes: this.d.aedes(),
          db: this.d.db(),
          log,
          clock: this.clock,
          settings: { ...config.availability, timeZone: this.settings.timeZone },
          onAuthFailure: (remote, at) => this.evaluator?.authFailures.add(remote, at),
          onHealth: (agent, fields, at) => {
            const first = history.get(agent) === undefined
            history.record(agent, fields, at)
            if (first) void this.seedBattery(history, agent, at)
          },
        })
        await this.availability.start()
      },
      stop: () => this.availability?.stop(),
    }
    const hook = config.alerts.webhook
    const webhooks: Feature = {
      name: 'alert-webhooks',
      start: () => {
        this.dispatcher = new WebhookDispatcher({
          db: this.d.db(),
          url: hook!.url,
          secret: hook!.secret,
          log,
          channel: 'alerts',
        })
        this.dispatcher.start()
      },
      stop: () => this.dispatcher?.stop(),
    }
    const evaluator: Feature = {
      name: 'alerts',
      start: async () => {
        if (this.availability === undefined) throw new Error('alerts need the availability feature')
        this.engine = new AlertEngine({
          db: this.d.db(),
          bus: this.d.bus(),
          log,
          settings: this.settings,
          // Queued even while the dispatcher is down: it sends them when it runs.
          webhook: hook ? { kick: () => this.dispatcher?.kick() } : undefined,
        })
        this.evaluator = new AlertEvaluator({
          db: this.d.db(),
          clock: this.clock,
          log,
          settings: this.settings,
          availability: this.availability,
          history,
          engine: this.engine,
          ingest: this.d.ingest,
        })
        await this.evaluator.start()
      },
      stop: () => this.evaluator?.stop(),
    }
    this.jobFeatures = [...(hook ? [webhooks] : []), evaluator]
    return [{ feature: availability, critical: false }]
  }

  /**
   * The alert evaluator and its webhook: once in a cluster (the leader's; leadership.ts), since each
   * evaluator raises its own alerts. After features(): they read the availability it starts.
   */
  jobs(): Feature[] {
    return this.jobFeatures
  }

  private jobFeatures: Feature[] = []

  /** The agent's earlier battery readings, from the time series, once per agent per start. */
  private async seedBattery(history: HealthHistory, agent: string, now: number): Promise<void> {
    const unit = history.get(agent)?.batteryUnit
    const series = this.d.series?.()
    if (unit === null || unit === undefined || series === undefined) return
    const field = unit === 'pct' ? 'battery_pct' : 'battery_v'
    try {
      const rows = await series.query({
        measurement: 'health',
        where: { agent },
        from: Math.max(0, now - this.settings.trendWindowMs),
        to: now,
        fields: [field],
        downsample: { everyMs: 3_600_000, agg: 'mean' },
        limit: 1000,
      })
      const points = rows.flatMap((r) => {
        const v = r.fields[field]
        return typeof v === 'number' ? [{ at: r.ts, value: v }] : []
      })
      history.seedBattery(agent, unit, points)
    } catch (err) {
      // Without the seed the trend waits for fresh readings; nothing else depends on it.
      this.d.log.warn({ err, agent }, 'battery history not read from the time series')
    }
  }

  /** What the HTTP routes need; undefined until the features started. */
  api(): AlertApiDeps | undefined {
    if (this.availability === undefined) return undefined
    const wiring = this
    return {
      availability: this.availability,
      // Read at each request: the engine starts when this process becomes the leader, maybe later.
      get engine() {
        return wiring.engine
      },
      // A follower's: the leader's dispatcher sends the queued webhook notice at its next poll.
      acks: {
        db: this.d.db(),
        bus: this.d.bus(),
        log: this.d.log.child({ module: 'alerts' }),
        webhook: this.d.config.alerts.webhook ? {} : undefined,
      },
      clock: this.clock,
    }
  }
}
