// Pushes each reader agent's allow-list in its retained config (`relais/v1/<agent>/config`, QoS 1,
// retained; DESIGN.md contract table) whenever it changes: on a grant, revoke, erase, beacon or placement
// change (refresh()), when a consent expires (a timer set for the next expiry), and at start for every
// reader, so a broker that lost its retained messages gets them again. Changes made by another process
// (the relais CLI) are caught by a periodic reconcile. Refreshes run one at a time; calls during one are
// folded into a single next run, and the promise of each call resolves once its change is published.
import {
  type BeaconsConfig,
  type Feature,
  MAX_CONFIG_BYTES,
  makeEnvelope,
  newMessageId,
  topics,
} from '@relais/hardware'
import type { MessageBus } from '../../ingest/bus.js'
import { RelaisError } from '../../lib/errors.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { writeTx } from '../../storage/write-tx.js'
import { readerSections } from './allow-list.js'
import { auditExpired, nextExpiry } from './consents.js'
import type { PresenceEvents } from './presence-events.js'

export interface ConfigPublisherOptions {
  bus: MessageBus
  db: Db
  log: Logger
  now?: () => number
  /** Told of stays closed by an expiry, for live pages. */
  events?: PresenceEvents
  /** Period of the reconcile that catches changes made by other processes; default 30 s. */
  reconcileMs?: number
}

const MAX_TIMER_MS = 2_147_000_000

export class ConfigPublisher implements Feature {
  readonly name = 'presence-config'
  private readonly log: Logger
  private readonly now: () => number
  private readonly session = newMessageId().slice(0, 16)
  private seq = 0
  private running?: Promise<void>
  private again?: Promise<void>
  private expiryTimer?: NodeJS.Timeout
  private reconcileTimer?: NodeJS.Timeout
  private stopped = true
  /** Published at least once since start: unchanged configs are sent again once, then only changes. */
  private readonly sent = new Set<string>()

  constructor(private readonly o: ConfigPublisherOptions) {
    this.log = o.log.child({ module: 'presence-config' })
    this.now = o.now ?? Date.now
  }

  async start(): Promise<void> {
    this.stopped = false
    this.sent.clear()
    await this.refresh()
    this.reconcileTimer = setInterval(() => void this.refresh(), this.o.reconcileMs ?? 30_000)
    this.reconcileTimer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.reconcileTimer)
    clearTimeout(this.expiryTimer)
    await this.running
  }

  /** Recomputes every reader's allow-list and publishes those that changed. Never throws. */
  refresh(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.run().finally(() => {
        this.running = undefined
      })
      return this.running
    }
    this.again ??= this.running.then(() => {
      this.again = undefined
      return this.refresh()
    })
    return this.again
  }

  private async run(): Promise<void> {
    if (this.stopped) return
    try {
      const now = this.now()
      const expiredIn = await auditExpired(this.o.db, now)
      if (expiredIn.length > 0) this.log.info({ zones: expiredIn }, 'consents expired')
      for (const zone of expiredIn) this.o.events?.emit('closed', { zone, at: now, reason: 'expired' })
      const sections = await readerSections(this.o.db, now)
      const stored = await this.o.db.selectFrom('agent_configs').selectAll().execute()
      const previous = new Map(stored.map((r) => [r.agent_id, r]))
      // Agents that had readers and have none now get an empty section: they forget every beacon. Agents
      // with a config but no readers (ops pushed it) get it again once after a start, unchanged: the
      // broker's retained copy may be gone with a restart.
      for (const r of stored) if (!sections.has(r.agent_id)) sections.set(r.agent_id, {})
      for (const [agent, beacons] of sections) await this.publish(agent, beacons, previous.get(agent), now)
      this.scheduleExpiry(await nextExpiry(this.o.db, now), now)
    } catch (err) {
      this.log.error({ err }, 'allow-list refresh failed; retried at the next change or reconcile')
    }
  }

  private async publish(
    agent: string,
    beacons: BeaconsConfig,
    prev: { revision: number; data: string } | undefined,
    now: number,
  ): Promise<void> {
    const before = prev === undefined ? {} : (JSON.parse(prev.data) as Record<string, unknown>)
    const changed = JSON.stringify(before.beacons ?? {}) !== JSON.stringify(beacons)
    if (!changed && this.sent.has(agent)) return
    let data = before
    if (changed || prev === undefined) {
      // The revision only grows (the agent ignores one <= its last); epoch ms as its floor keeps it
      // growing even if this table were lost and rebuilt.
      const revision = Math.max(Number(prev?.revision ?? 0) + 1, now)
      data = { ...before, revision, beacons }
      await writeTx(this.o.db, async (trx) => {
        await trx.deleteFrom('agent_configs').where('agent_id', '=', agent).execute()
        await trx
          .insertInto('agent_configs')
          .values({ agent_id: agent, revision, data: JSON.stringify(data), updated_at: now })
          .execute()
      })
    }
    const env = makeEnvelope({ agent, type: 'config', session: this.session, seq: this.seq++, data })
    const payload = JSON.stringify(env)
    if (Buffer.byteLength(payload) > MAX_CONFIG_BYTES) {
      // Readers would refuse it whole; they keep the last list, which only ever grew past the limit.
      this.log.error({ agent, bytes: payload.length, code: 'config_too_large' }, 'config not published')
      return
    }
    await this.o.bus.publish(topics.config(agent), payload, { qos: 1, retain: true })
    this.sent.add(agent)
    this.log.info(
      { agent, revision: data.revision, readers: Object.keys(beacons).length },
      'config published',
    )
  }

  /**
   * Ops' push of an agent's desired config (PUT /api/agents/:agent/config): `sections` replace every
   * section but `beacons`, which stays this publisher's, and the revision grows from the same row, so one
   * agent's config has one writer and one revision sequence. Waits for a refresh in progress (which
   * read the rows before it) and holds the next one back until the push is written, so neither
   * overwrites the other. Throws when the publisher is stopped: nothing would reach the agent.
   */
  async push(agent: string, sections: Record<string, unknown>): Promise<{ revision: number; data: object }> {
    while (this.running !== undefined) await this.running
    if (this.stopped) throw new RelaisError('unavailable', 'the config publisher is not running', 503)
    const job = this.writeOps(agent, sections)
    this.running = job.then(
      () => {},
      () => {},
    )
    void this.running.finally(() => {
      this.running = undefined
    })
    return job
  }

  private async writeOps(agent: string, sections: Record<string, unknown>) {
    const now = this.now()
    const data = await writeTx(this.o.db, async (trx) => {
      const prev = await trx
        .selectFrom('agent_configs')
        .select(['revision', 'data'])
        .where('agent_id', '=', agent)
        .executeTakeFirst()
      const before = prev === undefined ? {} : (JSON.parse(prev.data) as { beacons?: BeaconsConfig })
      const revision = Math.max(Number(prev?.revision ?? 0) + 1, now)
      const next = { ...sections, revision, ...(before.beacons ? { beacons: before.beacons } : {}) }
      // Checked before writing (the envelope adds well under 1 KiB): a row the agent never gets would lie.
      if (Buffer.byteLength(JSON.stringify(next)) + 1024 > MAX_CONFIG_BYTES)
        throw new RelaisError('config_too_large', `the config is over ${MAX_CONFIG_BYTES} bytes`, 413)
      await trx.deleteFrom('agent_configs').where('agent_id', '=', agent).execute()
      await trx
        .insertInto('agent_configs')
        .values({ agent_id: agent, revision, data: JSON.stringify(next), updated_at: now })
        .execute()
      return next
    })
    const env = makeEnvelope({ agent, type: 'config', session: this.session, seq: this.seq++, data })
    await this.o.bus.publish(topics.config(agent), JSON.stringify(env), { qos: 1, retain: true })
    this.sent.add(agent)
    this.log.info({ agent, revision: data.revision, sections: Object.keys(sections) }, 'config pushed by ops')
    return { revision: data.revision, data }
  }

  private scheduleExpiry(next: number | undefined, now: number): void {
    clearTimeout(this.expiryTimer)
    if (next === undefined || this.stopped) return
    this.expiryTimer = setTimeout(() => void this.refresh(), Math.min(Math.max(0, next - now), MAX_TIMER_MS))
    this.expiryTimer.unref()
  }
}
