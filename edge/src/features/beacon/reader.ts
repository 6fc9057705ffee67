// The beacon reader feature: advertisements -> decoded -> allow-list -> smoothed presence -> `enter` and
// `leave` events through the durable outbox, exactly like scans and presses (DESIGN.md, delivery rules
// 1-2), plus anonymous counts in periodic telemetry.
//
// Privacy is enforced here (DESIGN.md, "Security and privacy"; contract, hardware/src/kinds/beacon.ts):
// - an advertisement whose identity is not on the allow-list is dropped at once, before any smoothing or
//   storing; it only adds to a count of distinct other advertisers for the period (distinct-counter.ts);
// - until a first allow-list arrives (from the cloud, or the copy on disk) nothing is reported;
// - a key removed from the list is forgotten at once: its state dropped, no leave sent, and its events
//   still waiting in the outbox taken out. After revocation nothing about it leaves the reader.
// Allowed identities are never logged at info level.
import {
  type BeaconReaderConfig,
  beaconKey,
  type EnterEvent,
  type LeaveEvent,
  makeEnvelope,
  measuredPower,
  PRESENCE_OUTCOMES,
  topics,
} from '@relais/hardware'
import type { Advertisement, AdvertisementSource } from '../../drivers/beacon/types.js'
import type { Logger } from '../../lib/logger.js'
import type { MqttLink } from '../../link/mqtt-link.js'
import type { Session } from '../../link/session.js'
import type { Outbox } from '../../outbox/outbox.js'
import type { AckedEvent, OutboxSender } from '../../outbox/sender.js'
import { type DeviceStatusMessage, deviceStatusMessage } from '../device-status.js'
import { AllowListStore } from './allow-store.js'
import { decodeAdvert, isNotABeacon } from './decode.js'
import { DistinctCounter } from './distinct-counter.js'
import { PresenceTracker, type TrackerEvent, type TrackerOptions } from './tracker.js'

export interface BeaconReaderOptions {
  agent: string
  source: AdvertisementSource
  outbox: Outbox
  sender: OutboxSender
  link: MqttLink
  session: Session
  log: Logger
  /** Where the last allow-list is kept across reboots (the agent's data dir). */
  dataDir: string
  /** The reader's own settings; enterRssi, leaveRssi and leaveTimeoutMs are overridden by the cloud's. */
  tracker: TrackerOptions
  telemetryS: number
  now?: () => number
}

/** Per telemetry period; present, tracked and allowed are read when it is published. */
interface PeriodCounts {
  adverts: number
  dropped_not_allowed: number
  decode_errors: number
  not_beacons: number
  events: number
}
/** Outbox entries read at a time when taking a revoked beacon's events back. */
const PURGE_PAGE = 500

const zeroCounts = (): PeriodCounts => ({
  adverts: 0,
  dropped_not_allowed: 0,
  decode_errors: 0,
  not_beacons: 0,
  events: 0,
})

export class BeaconReaderFeature {
  readonly name: string
  readonly tracker: PresenceTracker
  private readonly log: Logger
  private readonly now: () => number
  private readonly store: AllowListStore
  private readonly others = new DistinctCounter()
  /** undefined until a first list arrives: nothing is reported before (privacy by default). */
  private allow: ReadonlySet<string> | undefined
  private zone: string | undefined
  private revisionApplied: number | undefined
  private period = zeroCounts()
  /** Totals since start, for tests and health. */
  readonly totals = zeroCounts()
  private tickTimer?: NodeJS.Timeout
  private telemetryTimer?: NodeJS.Timeout
  private readonly onAdvert = (a: Advertisement) => this.handle(a)
  private readonly onStatus = () => void this.publishStatus()
  private readonly onWarn = (w: string) => this.log.warn({ warning: w }, 'beacon source warning')
  private readonly onAcked = (a: AckedEvent) => this.logAck(a)

  constructor(private readonly o: BeaconReaderOptions) {
    this.name = `beacon:${o.source.id}`
    this.log = o.log.child({ module: 'beacon', agent: o.agent, device: o.source.id })
    this.now = o.now ?? Date.now
    this.tracker = new PresenceTracker(o.tracker)
    this.store = new AllowListStore(o.dataDir, o.source.id)
  }

  get device(): string {
    return this.o.source.id
  }

  get source(): AdvertisementSource {
    return this.o.source
  }

  /** The revision of the allow-list in force, undefined before the first. */
  get revision(): number | undefined {
    return this.revisionApplied
  }

  get allowed(): number {
    return this.allow?.size ?? 0
  }

  async start(): Promise<void> {
    try {
      const stored = this.store.load()
      if (stored !== undefined) this.apply(stored.section ?? undefined, stored.revision, 'disk')
    } catch (err) {
      // A damaged copy is as good as none: wait for the cloud's list, reporting nothing meanwhile.
      this.log.warn({ err, code: (err as { code?: string }).code }, 'stored allow-list ignored')
    }
    const { source, sender, link } = this.o
    source.on('advertisement', this.onAdvert)
    source.on('status', this.onStatus)
    source.on('warn', this.onWarn)
    sender.on('acked', this.onAcked)
    link.on('connected', this.onStatus)
    // Timeouts are found by polling: a few times per leave timeout, at most once a second.
    const tickMs = Math.min(1000, Math.max(50, Math.floor(this.o.tracker.leaveTimeoutMs / 4)))
    this.tickTimer = setInterval(() => this.tick(this.now()), tickMs)
    this.tickTimer.unref()
    this.telemetryTimer = setInterval(() => void this.publishTelemetry(), this.o.telemetryS * 1000)
    this.telemetryTimer.unref()
    try {
      await source.start()
    } catch (err) {
      // The agent runs on without this reader (agent.ts): leave no timer or listener behind.
      await this.stop().catch(() => {})
      throw err
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.tickTimer)
    clearInterval(this.telemetryTimer)
    const { source, sender, link } = this.o
    source.off('advertisement', this.onAdvert)
    source.off('status', this.onStatus)
    source.off('warn', this.onWarn)
    sender.off('acked', this.onAcked)
    link.off('connected', this.onStatus)
    await source.stop()
  }

  /** One advertisement; public so simulators and tests can feed it without a source. */
  handle(a: Advertisement): void {
    this.period.adverts++
    this.totals.adverts++
    const r = decodeAdvert(a)
    if (!r.ok) {
      if (isNotABeacon(r.reason)) {
        this.period.not_beacons++
        this.totals.not_beacons++
      } else {
        this.period.decode_errors++
        this.totals.decode_errors++
      }
      return
    }
    const key = beaconKey(r.frame)
    if (key === undefined || this.allow === undefined || !this.allow.has(key)) {
      // Dropped here, before anything is kept: only the anonymous count of the period remembers it.
      this.period.dropped_not_allowed++
      this.totals.dropped_not_allowed++
      this.others.add(a.address)
      return
    }
    const e = this.tracker.observe(key, a.rssi, a.at, measuredPower(r.frame))
    if (e !== undefined) this.emitEvent(e)
  }

  /** Leaves by timeout as of `now`; the feature's own timer calls it, tests call it with their clock. */
  tick(now: number): void {
    for (const e of this.tracker.tick(now)) this.emitEvent(e)
  }

  /**
   * The cloud's section for this reader (data.beacons[<device>] of the retained config), or undefined
   * when the config has none for it (then nothing is allowed). Returns what changed, for the inbox's log.
   */
  applyConfig(section: BeaconReaderConfig | undefined, revision: number): string[] {
    return this.apply(section, revision, 'cloud')
  }

  private apply(section: BeaconReaderConfig | undefined, revision: number, from: 'cloud' | 'disk'): string[] {
    if (this.revisionApplied !== undefined && revision < this.revisionApplied) {
      // A newer revision always wins (contract: revision increasing), e.g. the copy on disk over an
      // older retained config a restarted broker still held.
      this.log.info({ revision, kept: this.revisionApplied, from }, 'older allow-list ignored')
      return []
    }
    const applied: string[] = []
    const next = new Set(section?.allow ?? [])
    const revoked = new Set<string>()
    if (this.allow !== undefined) for (const k of this.allow) if (!next.has(k)) revoked.add(k)
    // Also anything tracked but not allowed now (belt and braces: the tracker only holds allowed keys).
    for (const k of this.tracker.keys()) if (!next.has(k)) revoked.add(k)
    for (const k of revoked) this.tracker.forget(k)
    const purged = revoked.size > 0 ? this.purgeOutbox(revoked) : 0
    if (section !== undefined && this.zone !== undefined && section.zone !== this.zone) {
      // Consent is per zone: what was present in the old zone is not carried into the new one.
      this.tracker.clear()
      applied.push('zone')
    }
    this.allow = next
    this.zone = section?.zone
    this.revisionApplied = revision
    applied.push('allow')
    const t = this.o.tracker
    let enterRssi = section?.enterRssi ?? t.enterRssi
    let leaveRssi = section?.leaveRssi ?? t.leaveRssi
    if (leaveRssi >= enterRssi) {
      // Without a gap there is no hysteresis, and a beacon at the edge flaps: keep the reader's own.
      this.log.warn({ enterRssi, leaveRssi }, 'leaveRssi must be below enterRssi: thresholds not applied')
      enterRssi = t.enterRssi
      leaveRssi = t.leaveRssi
    } else if (section?.enterRssi !== undefined || section?.leaveRssi !== undefined)
      applied.push('thresholds')
    const leaveTimeoutMs =
      section?.leaveTimeoutS !== undefined ? section.leaveTimeoutS * 1000 : t.leaveTimeoutMs
    if (section?.leaveTimeoutS !== undefined) applied.push('leaveTimeoutS')
    this.tracker.setOptions({ enterRssi, leaveRssi, leaveTimeoutMs })
    if (from === 'cloud') {
      try {
        this.store.save({ revision, section: section ?? null })
      } catch (err) {
        // The list is in force in memory; only a reboot while offline would miss it.
        this.log.error(
          { err, code: (err as { code?: string }).code },
          'could not keep the allow-list on disk',
        )
      }
    }
    // Counts only: the keys themselves never reach an info-level log.
    this.log.info(
      { revision, from, allowed: next.size, revoked: revoked.size, purged, zone: this.zone },
      section === undefined ? 'no section for this reader: nothing allowed' : 'allow-list applied',
    )
    return applied
  }

  /** Takes the revoked beacons' events still waiting in the outbox out of it, unsent. */
  private purgeOutbox(keys: ReadonlySet<string>): number {
    const { agent, outbox } = this.o
    const mine = new Set([
      topics.event(agent, this.device, 'enter'),
      topics.event(agent, this.device, 'leave'),
    ])
    const ids: string[] = []
    // In pages: a backlog of weeks offline must not be loaded into memory at once.
    for (
      let after = 0, page = outbox.pending(PURGE_PAGE);
      page.length > 0;
      page = outbox.pending(PURGE_PAGE, after)
    ) {
      after = page[page.length - 1]!.seq
      for (const e of page) {
        if (!mine.has(e.topic)) continue
        try {
          const beacon = (JSON.parse(e.payload) as { data?: { beacon?: unknown } }).data?.beacon
          if (typeof beacon === 'string' && keys.has(beacon)) ids.push(e.id)
        } catch {
          // Our own payloads are JSON; anything else is not one of ours to judge.
        }
      }
    }
    // Removing an entry is what an ack does; here the cloud never sees it (one sent just before the
    // revocation may still arrive: the cloud refuses it, its list having changed first).
    return ids.length > 0 ? outbox.ack(ids).length : 0
  }

  private emitEvent(e: TrackerEvent): void {
    const zone = this.zone
    if (zone === undefined) return
    const { agent, session } = this.o
    let data: EnterEvent | LeaveEvent
    if (e.type === 'enter') {
      data = { beacon: e.key, zone, rssi: e.rssi, at: e.at }
      if (e.distanceM !== undefined) data.distanceM = e.distanceM
    } else data = { beacon: e.key, zone, enteredAt: e.enteredAt, at: e.at, reason: e.reason }
    const env = makeEnvelope({
      agent,
      device: this.device,
      type: e.type,
      session: session.id,
      seq: session.next(),
      ts: e.at,
      data,
    })
    try {
      const r = this.o.outbox.add(
        env.id,
        topics.event(agent, this.device, e.type),
        JSON.stringify(env),
        this.now(),
      )
      if (r.dropped > 0) this.log.warn({ dropped: r.dropped }, 'outbox full: oldest events dropped')
    } catch (err) {
      // Nobody is waiting at a reader for feedback; the next crossing makes a new event.
      this.log.error({ err, event: e.type }, 'could not store the presence event')
      return
    }
    this.period.events++
    this.totals.events++
    // Debug only: the key and the smoothed RSSI are what an installer calibrating at 1 m reads.
    this.log.debug(
      { msgId: env.id, event: e.type, beacon: e.key, rssi: e.type === 'enter' ? e.rssi : undefined },
      'presence event stored',
    )
    this.o.sender.pump()
  }

  private logAck(a: AckedEvent): void {
    if (a.device !== this.device) return
    const { outcome, reason, replayed } = a.ack
    if (outcome === 'refused') {
      // The cloud's list changed after the event was made (consent revoked or zone moved): its new
      // list follows in the retained config. Nothing to show on a reader.
      this.log.info({ msgId: a.id, outcome, reason }, 'presence event refused by the cloud')
    } else if ((PRESENCE_OUTCOMES as readonly string[]).includes(outcome)) {
      this.log.debug({ msgId: a.id, outcome, replayed }, 'presence event acknowledged')
    } else this.log.warn({ msgId: a.id, outcome, reason }, 'presence event: unexpected outcome')
  }

  /** This period's numbers (numbers only: contract, telemetry row); ends the period. */
  takeTelemetry(): Record<string, number> {
    const p = this.period
    this.period = zeroCounts()
    return {
      present: this.tracker.present,
      tracked: this.tracker.tracked,
      allowed: this.allowed,
      other_beacons: this.others.take(),
      adverts: p.adverts,
      dropped_not_allowed: p.dropped_not_allowed,
      decode_errors: p.decode_errors,
      not_beacons: p.not_beacons,
      events: p.events,
    }
  }

  async publishTelemetry(): Promise<boolean> {
    const { agent, session } = this.o
    const env = makeEnvelope({
      agent,
      device: this.device,
      type: 'telemetry',
      session: session.id,
      seq: session.next(),
      data: this.takeTelemetry(),
    })
    // QoS 0, not retained (contract table): a period lost while offline is a gap in a chart, no more.
    return this.o.link.publish(topics.telemetry(agent, this.device), JSON.stringify(env), {
      qos: 0,
      retain: false,
    })
  }

  /** The retained device status message, for the birth sequence. */
  statusMessage(): DeviceStatusMessage {
    const { agent, session } = this.o
    return deviceStatusMessage({
      agent,
      session,
      device: this.device,
      kind: 'beacon',
      status: this.o.source.status,
    })
  }

  private async publishStatus(): Promise<void> {
    const m = this.statusMessage()
    await this.o.link.publish(m.topic, m.payload, { qos: 1, retain: true })
  }
}
