// The round service (issue 4): keeps every courier's round of the day planned as requests arrive, are
// cancelled, collected or not found, and once a minute (when it also rolls requests of past days onto
// new rounds and expires old ones). It closes requests for couriers and ops staff, and tells the button
// (cmd/pickup), live pages (PickupEvents) and the time series of every change it commits.
//
// Re-plans of one courier run one at a time, and requests that arrive meanwhile fold into the next
// one (serial-jobs.ts). All writes go through the main thread's connection; the ingest writer thread
// writes presses beside it, so every update here is guarded on the request still being open.
import type { Feature } from '@relais/hardware'
import type { CloudConfig } from '../../app/config.js'
import type { MessageBus, PointRecorder } from '../../ingest/bus.js'
import { invalid, notFound } from '../../lib/errors.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { ButtonNotifier } from './button-notifier.js'
import { type ClosingState, closeRequest } from './courier-actions.js'
import { isDay, localDay } from './local-time.js'
import type { PickupEvents } from './pickup-events.js'
import type { PressEffect } from './press-handler.js'
import type { RequestChange } from './request-change.js'
import { loadCourier, planRound } from './round-plan.js'
import { assignPending, expireOld, type RoundKey, releaseMisassigned, rollOver } from './round-upkeep.js'
import { readPickup, readRound, readSite } from './round-views.js'
import { SerialJobs } from './serial-jobs.js'
import type { PickupOps, PickupView, RoundView, SitePickups } from './views.js'

export interface RoundServiceOptions {
  db: Db
  /** Publishes cmd/pickup and hears agents' births. */
  bus: MessageBus
  log: Logger
  series?: PointRecorder
  config: Pick<CloudConfig, 'pickups'>
  events: PickupEvents
  now?: () => number
  /** Default 60 s. */
  tickMs?: number
  /** How long a re-plan waits for more changes before it starts; default 200 ms. */
  settleMs?: number
}

const TRANSITION_INTS = ['count'] as const

export class RoundService implements Feature, PickupOps {
  readonly name = 'rounds'
  private readonly log: Logger
  private readonly now: () => number
  /** Re-plans, one courier at a time each; they wait `settleMs` for more changes to fold in. */
  private readonly jobs: SerialJobs
  /** Assignment of waiting requests: one run at a time, no wait (the re-plans it asks for wait). */
  private readonly assigning = new SerialJobs(0)
  private readonly notifier: ButtonNotifier
  private timer?: NodeJS.Timeout
  private ticking?: Promise<void>
  /** Requests already logged as waiting for a courier, so each is logged once, not every minute. */
  private readonly waiting = new Set<string>()
  private running = false

  constructor(private readonly o: RoundServiceOptions) {
    this.log = o.log.child({ module: 'rounds' })
    this.now = o.now ?? Date.now
    this.jobs = new SerialJobs(o.settleMs ?? 200)
    this.notifier = new ButtonNotifier({ bus: o.bus, db: o.db, log: this.log, now: this.now })
  }

  async start(): Promise<void> {
    await this.notifier.start()
    this.running = true
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 60_000)
    this.timer.unref()
    // Catch up at once: requests that arrived while the cloud was down, days that passed meanwhile.
    void this.tick()
  }

  async stop(): Promise<void> {
    this.running = false
    clearInterval(this.timer)
    await this.notifier.stop()
    await this.ticking
    await this.assigning.stop()
    await this.jobs.stop()
  }

  /** Resolves once no re-plan or tick is waiting or running (tests, graceful stops). */
  async idle(): Promise<void> {
    await this.ticking
    await this.assigning.idle()
    await this.jobs.idle()
  }

  /** A committed press (ingest effect): tell live pages, then plan what it changed. */
  onPress(effect: PressEffect): void {
    void this.afterPress(effect)
  }

  private async afterPress(e: PressEffect): Promise<void> {
    try {
      // Stopping (the ingest's last batch): tell live pages without reading a store about to close.
      const round =
        e.roundId && this.running
          ? await this.o.db
              .selectFrom('rounds')
              .select(['courier_id', 'day'])
              .where('id', '=', e.roundId)
              .executeTakeFirst()
          : undefined
      this.o.events.emit('change', {
        requestId: e.requestId,
        siteId: e.siteId,
        courierId: round?.courier_id ?? null,
        roundId: e.roundId ?? null,
        state: e.state,
      })
      if (!this.running) return
      if (e.state === 'requested') await this.assign()
      else if (round !== undefined) await this.replan({ courierId: round.courier_id, day: round.day })
    } catch (err) {
      this.log.error({ err, requestId: e.requestId, siteId: e.siteId }, 'press not followed by a re-plan')
    }
  }

  /** Re-plans a courier's round of a day, after the re-plan in progress if there is one. */
  replan(k: RoundKey): Promise<void> {
    return this.jobs.request(`courier:${k.courierId}`, k.day, (days) => this.planDays(k.courierId, days))
  }

  private assign(): Promise<void> {
    return this.assigning.request('assign', '', async () => {
      const now = this.now()
      const { rounds, unassigned } = await assignPending(this.o.db, now, this.o.config.pickups.timeZone)
      for (const id of unassigned) {
        if (this.waiting.has(id)) continue
        this.waiting.add(id)
        this.log.warn({ requestId: id }, 'pickup request waits: no courier to collect it')
      }
      if (unassigned.length === 0) this.waiting.clear()
      await Promise.all(rounds.map((k) => this.replan(k)))
    })
  }

  private async planDays(courierId: string, days: ReadonlySet<string>): Promise<void> {
    const c = await loadCourier(this.o.db, courierId)
    if (c === undefined) return
    for (const day of [...days].sort()) {
      const started = Date.now()
      const now = this.now()
      const planned = await planRound(this.o.db, c, day, now, {
        timeZone: this.o.config.pickups.timeZone,
        webhook: this.o.config.pickups.webhook !== undefined,
      })
      if (planned === undefined) continue
      this.log.info(
        {
          courierId,
          day,
          roundId: planned.roundId,
          revision: planned.revision,
          stops: planned.stops,
          lengthM: Math.round(planned.lengthM),
          changed: planned.changes.length,
          ms: Date.now() - started,
        },
        'round planned',
      )
      await this.publish(planned.changes, planned.roundId)
    }
  }

  /**
   * Once a minute: expire, roll past days over, move requests whose site changed courier, assign what
   * waits, and re-plan today's open rounds.
   */
  tick(): Promise<void> {
    if (this.ticking === undefined) {
      this.ticking = this.runTick().finally(() => {
        this.ticking = undefined
      })
    }
    return this.ticking
  }

  private async runTick(): Promise<void> {
    try {
      const now = this.now()
      const { timeZone, expireAfterH } = this.o.config.pickups
      const expired = await expireOld(
        this.o.db,
        now,
        expireAfterH,
        this.o.config.pickups.webhook !== undefined,
      )
      if (expired.changes.length > 0)
        this.log.info({ expired: expired.changes.length }, 'pickup requests expired')
      await this.publish(expired.changes)
      const rolled = await rollOver(this.o.db, now, timeZone)
      if (rolled > 0) this.log.info({ rolled }, 'open pickup requests of past days rolled over')
      const released = await releaseMisassigned(this.o.db, now, timeZone)
      if (released.length > 0)
        this.log.info({ rounds: released }, 'requests moved off rounds of another courier')
      if (!this.running) return
      await this.assign()
      // As time passes a courier who has not moved yet starts later: today's windows move with it.
      const today = localDay(now, timeZone)
      const active = await this.o.db
        .selectFrom('rounds as o')
        .innerJoin('pickup_requests as r', 'r.round_id', 'o.id')
        .select('o.courier_id')
        .distinct()
        .where('o.day', '=', today)
        .where('r.state', 'in', ['requested', 'scheduled'])
        .execute()
      const keys = [
        ...expired.rounds,
        ...released,
        ...active.map((a) => ({ courierId: a.courier_id, day: today })),
      ]
      await Promise.all(keys.map((k) => this.replan(k)))
    } catch (err) {
      this.log.error({ err }, 'round tick failed; next one in a minute')
    }
  }

  collect(requestId: string, by: string, note?: string): Promise<PickupView> {
    return this.close(requestId, 'collected', by, note ?? null)
  }

  notFound(requestId: string, by: string, reason: string): Promise<PickupView> {
    return this.close(requestId, 'not_found', by, reason)
  }

  cancel(requestId: string, by: string, reason: string): Promise<PickupView> {
    return this.close(requestId, 'cancelled', by, reason)
  }

  private async close(
    requestId: string,
    to: ClosingState,
    by: string,
    reason: string | null,
  ): Promise<PickupView> {
    const { change, round } = await closeRequest(this.o.db, {
      requestId,
      to,
      by,
      reason,
      now: this.now(),
      webhook: this.o.config.pickups.webhook !== undefined,
    })
    this.log.info({ requestId, to, by, courierId: change.courierId }, 'pickup request closed')
    await this.publish([change])
    // The courier is now at this stop (or a stop left the round): plan the rest from here.
    if (round !== null)
      void this.replan(round).catch((err) => this.log.error({ err, ...round }, 're-plan failed'))
    return readPickup(this.o.db, requestId)
  }

  async roundOf(courierId: string, day?: string): Promise<RoundView> {
    const d = day ?? localDay(this.now(), this.o.config.pickups.timeZone)
    if (!isDay(d)) throw invalid(`day '${d}': expected a date as YYYY-MM-DD`)
    if ((await loadCourier(this.o.db, courierId)) === undefined) throw notFound(`courier '${courierId}'`)
    let view = await readRound(this.o.db, courierId, d)
    if (view === undefined) {
      await this.replan({ courierId, day: d })
      view = await readRound(this.o.db, courierId, d)
    }
    // A past day is never planned afresh: without a row it had no round.
    if (view === undefined) throw notFound(`round of courier '${courierId}' on ${d}`)
    return view
  }

  pickup(requestId: string): Promise<PickupView> {
    return readPickup(this.o.db, requestId)
  }

  siteView(siteId: string): Promise<SitePickups> {
    return readSite(this.o.db, siteId)
  }

  /** After a commit: the button, live pages and the time series hear of each change. */
  private async publish(changes: RequestChange[], roundId?: string): Promise<void> {
    for (const c of changes) {
      const r = c.request
      if (c.notify) await this.notifier.send(r)
      this.o.events.emit('change', {
        requestId: r.id,
        siteId: r.site_id,
        courierId: c.courierId,
        roundId: roundId ?? r.round_id,
        state: r.state,
      })
      if (c.transition)
        this.o.series?.record({
          measurement: 'pickup_transition',
          tags: { site: r.site_id, courier: c.courierId ?? 'none', from: c.from ?? 'none', to: r.state },
          fields: { count: 1 },
          ts: Number(r.updated_at),
          ints: TRANSITION_INTS,
        })
    }
  }
}
