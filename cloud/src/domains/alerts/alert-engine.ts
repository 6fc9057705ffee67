// The alert schedule: each condition raises one alert per incident (its key is open at most once),
// delivered at once or, if non-critical in quiet hours, when they end; repeated every `repeatMs` until
// acknowledged or cleared (repeats wait out quiet hours too); cleared when its rule says the condition
// ended. Open alerts live in the database and here; a restart reloads them, so nothing is raised twice.
// Every change is serialised (ticks and this process's HTTP acks), written first, then published; an
// ack made through another process (acknowledgeAlert, a follower) is a conditional update the ticks
// read back and never write over.
import { randomUUID } from 'node:crypto'
import type { MessageBus } from '../../ingest/bus.js'
import { conflict, notFound } from '../../lib/errors.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { enqueueNotice, type NoticeType, publishAlert } from './alert-delivery.js'
import type { AlertSettings } from './alert-settings.js'
import {
  type Alert,
  ackAlertRow,
  getAlert,
  insertAlert,
  loadAckedOpenAlerts,
  loadOpenAlerts,
  saveAlert,
} from './alert-store.js'
import { quietUntil } from './quiet-hours.js'
import type { Condition } from './rules.js'

export interface AlertEngineOptions {
  db: Db
  bus: MessageBus
  log: Logger
  settings: AlertSettings
  /** Queue webhook notices (RELAIS_ALERT_WEBHOOK_URL set); `kick` wakes the dispatcher. */
  webhook?: { kick(): void }
}

export class AlertEngine {
  private readonly open = new Map<string, Alert>()
  private serial: Promise<unknown> = Promise.resolve()
  private readonly log: Logger

  constructor(private readonly o: AlertEngineOptions) {
    this.log = o.log.child({ module: 'alerts' })
  }

  /** Open alerts from the database; their retained MQTT state is published again (the broker's is lost). */
  async load(): Promise<void> {
    this.open.clear()
    for (const a of await loadOpenAlerts(this.o.db)) this.open.set(a.key, a)
    for (const a of this.open.values())
      if (a.lastSentAt !== null) await this.publish(a, lastNotice(a), a.lastSentAt)
    this.log.info({ open: this.open.size }, 'open alerts loaded')
  }

  openAlerts(): Iterable<Alert> {
    return this.open.values()
  }

  /** Raises what is new, clears what ended, repeats what is due. */
  reconcile(active: Condition[], ok: Set<string>, now: number): Promise<void> {
    return this.exclusive(async () => {
      // Acknowledged through another process's API (a follower in a cluster): no repeats from now on.
      // Nothing to catch up with while every open alert is acknowledged here already.
      if ([...this.open.values()].some((a) => a.ackedAt === null))
        for (const a of await loadAckedOpenAlerts(this.o.db))
          if (this.open.get(a.key)?.ackedAt === null) this.open.set(a.key, a)
      for (const c of active) if (!this.open.has(c.key)) await this.raise(c, now)
      for (const a of [...this.open.values()]) if (ok.has(a.key)) await this.clear(a, now)
      for (const a of [...this.open.values()])
        if (a.ackedAt === null && a.nextRepeatAt !== null && a.nextRepeatAt <= now) await this.repeat(a, now)
    })
  }

  ack(id: string, by: string, now: number): Promise<Alert> {
    return this.exclusive(async () => {
      const a = await acknowledgeAlert({ ...this.o, log: this.log }, id, by, now)
      if (this.open.has(a.key)) this.open.set(a.key, a)
      return a
    })
  }

  private async raise(c: Condition, now: number): Promise<void> {
    const quiet =
      c.severity !== 'critical'
        ? quietUntil(this.o.settings.quietHours, now, this.o.settings.timeZone)
        : undefined
    const a: Alert = {
      id: randomUUID(),
      key: c.key,
      rule: c.rule,
      subject: c.subject,
      device: c.device,
      severity: c.severity,
      message: c.message,
      details: c.details,
      raisedAt: now,
      lastSentAt: quiet === undefined ? now : null,
      nextRepeatAt: quiet ?? now + this.o.settings.repeatMs,
      repeats: 0,
      ackedAt: null,
      ackedBy: null,
      clearedAt: null,
    }
    await this.o.db.transaction().execute(async (trx) => {
      await insertAlert(trx, a)
      if (quiet === undefined && this.o.webhook) await enqueueNotice(trx, a, 'alert.raised', now)
    })
    this.open.set(a.key, a)
    this.log.warn({ alertId: a.id, key: a.key, severity: a.severity, held: quiet !== undefined }, a.message)
    if (quiet === undefined) await this.publish(a, 'alert.raised', now)
  }

  private async repeat(a: Alert, now: number): Promise<void> {
    const quiet = quietUntil(this.o.settings.quietHours, now, this.o.settings.timeZone)
    if (quiet !== undefined) {
      this.open.set(a.key, await this.write({ ...a, nextRepeatAt: quiet }, undefined, now))
      return
    }
    // A first delivery held by quiet hours goes out as the raise; later ones are repeats.
    const type: NoticeType = a.lastSentAt === null ? 'alert.raised' : 'alert.repeated'
    const next = {
      ...a,
      lastSentAt: now,
      nextRepeatAt: now + this.o.settings.repeatMs,
      repeats: a.repeats + (type === 'alert.repeated' ? 1 : 0),
    }
    const stored = await this.write(next, type, now)
    this.open.set(a.key, stored)
    if (ackedMeanwhile(next, stored, type)) return
    this.log.info({ alertId: a.id, key: a.key, repeats: next.repeats, type }, 'alert delivered again')
    await this.publish(stored, type, now)
  }

  private async clear(a: Alert, now: number): Promise<void> {
    const next = { ...a, clearedAt: now, nextRepeatAt: null }
    // Never delivered (held by quiet hours): nobody was told, so nobody needs telling it ended.
    const told = a.lastSentAt !== null
    const stored = await this.write(next, told ? 'alert.cleared' : undefined, now)
    this.open.delete(a.key)
    this.log.info({ alertId: a.id, key: a.key }, 'alert cleared')
    if (told) await this.publish(stored, 'alert.cleared', now)
  }

  /**
   * Writes the change, with its webhook notice, and returns the alert as stored. A repeat of an alert
   * another process acknowledged since the last look is not announced: the stored row says acknowledged.
   */
  private async write(a: Alert, notice: NoticeType | undefined, now: number): Promise<Alert> {
    return await this.o.db.transaction().execute(async (trx) => {
      const stored = await saveAlert(trx, a)
      if (notice !== undefined && this.o.webhook && !ackedMeanwhile(a, stored, notice))
        await enqueueNotice(trx, stored, notice, now)
      return stored
    })
  }

  private publish(a: Alert, type: NoticeType, at: number): Promise<void> {
    return publishChange({ ...this.o, log: this.log }, a, type, at)
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn)
    this.serial = run.catch(() => {})
    return run
  }
}

/** A repeat written over an acknowledgement another process made since the engine last looked. */
function ackedMeanwhile(sent: Alert, stored: Alert, notice: NoticeType): boolean {
  return notice !== 'alert.cleared' && sent.ackedAt === null && stored.ackedAt !== null
}

export interface AckDeps {
  db: Db
  bus: MessageBus
  /** Scoped to the alerts module by the caller. */
  log: Logger
  /** Set when alert webhooks are configured: the notice is queued (the leader's dispatcher sends it). */
  webhook?: { kick?(): void }
}

/**
 * Acknowledges an alert, on whichever process the request reached: the leader's engine or a follower
 * (its evaluator does not run; the leader's sees the row at its next tick). The row, with its webhook
 * notice, is changed in one transaction by a conditional update, so it happens once; twice is a no-op.
 */
export async function acknowledgeAlert(o: AckDeps, id: string, by: string, now: number): Promise<Alert> {
  const acked = await o.db.transaction().execute(async (trx) => {
    const a = await ackAlertRow(trx, id, by, now)
    if (a !== undefined && a.lastSentAt !== null && o.webhook) await enqueueNotice(trx, a, 'alert.acked', now)
    return a
  })
  if (acked === undefined) {
    const stored = await getAlert(o.db, id)
    if (stored === undefined) throw notFound(`alert '${id}'`)
    if (stored.clearedAt !== null) throw conflict(`alert '${id}' was cleared: nothing to acknowledge`)
    return stored // acknowledging twice changes nothing
  }
  o.log.info({ alertId: acked.id, key: acked.key, by }, 'alert acknowledged')
  // Never delivered (held by quiet hours): nobody was told it was raised, so nothing to tell now.
  if (acked.lastSentAt !== null) await publishChange(o, acked, 'alert.acked', now)
  return acked
}

async function publishChange(o: AckDeps, a: Alert, type: NoticeType, at: number): Promise<void> {
  o.webhook?.kick?.()
  try {
    await publishAlert(o.bus, a, type, at)
  } catch (err) {
    // The row and the webhook are the record; the retained message is republished at the next start.
    o.log.error({ err, alertId: a.id, key: a.key }, 'alert not published over MQTT')
  }
}

/** The notice an alert's retained state last carried: republished as is, never as a new raise. */
function lastNotice(a: Alert): NoticeType {
  if (a.ackedAt !== null) return 'alert.acked'
  return a.repeats > 0 ? 'alert.repeated' : 'alert.raised'
}
