// The alert log (migration 0007): one row per incident, open until its condition ends. The engine keeps
// the open rows in memory too; every change is written here first, so a restart reloads them as they were.
import { type Kysely, sql, type Transaction } from 'kysely'
import type { AlertsTable } from '../../storage/alerts-schema.js'
import type { Db } from '../../storage/db.js'
import type { Database } from '../../storage/schema.js'
import type { Severity } from './alert-settings.js'

export type AlertState = 'open' | 'acked' | 'cleared'

export interface Alert {
  id: string
  key: string
  rule: string
  subject: string
  device: string | null
  severity: Severity
  message: string
  details: Record<string, unknown>
  raisedAt: number
  lastSentAt: number | null
  nextRepeatAt: number | null
  repeats: number
  ackedAt: number | null
  ackedBy: string | null
  clearedAt: number | null
}

export const stateOf = (a: Alert): AlertState =>
  a.clearedAt !== null ? 'cleared' : a.ackedAt !== null ? 'acked' : 'open'

type Q = Kysely<Database> | Transaction<Database>
const n = (v: number | string | null) => (v === null ? null : Number(v))

function fromRow(r: AlertsTable): Alert {
  return {
    id: r.id,
    key: r.alert_key,
    rule: r.rule,
    subject: r.subject,
    device: r.device,
    severity: r.severity,
    message: r.message,
    details: JSON.parse(r.details) as Record<string, unknown>,
    raisedAt: Number(r.raised_at),
    lastSentAt: n(r.last_sent_at),
    nextRepeatAt: n(r.next_repeat_at),
    repeats: Number(r.repeats),
    ackedAt: n(r.acked_at),
    ackedBy: r.acked_by,
    clearedAt: n(r.cleared_at),
  }
}

function toRow(a: Alert): AlertsTable {
  return {
    id: a.id,
    alert_key: a.key,
    rule: a.rule,
    subject: a.subject,
    device: a.device,
    severity: a.severity,
    message: a.message,
    details: JSON.stringify(a.details),
    raised_at: a.raisedAt,
    last_sent_at: a.lastSentAt,
    next_repeat_at: a.nextRepeatAt,
    repeats: a.repeats,
    acked_at: a.ackedAt,
    acked_by: a.ackedBy,
    cleared_at: a.clearedAt,
  }
}

export async function loadOpenAlerts(db: Db): Promise<Alert[]> {
  const rows = await db.selectFrom('alerts').selectAll().where('cleared_at', 'is', null).execute()
  return rows.map(fromRow)
}

export async function insertAlert(q: Q, a: Alert): Promise<void> {
  await q.insertInto('alerts').values(toRow(a)).execute()
}

/**
 * Writes the engine's copy of an alert and returns the row as stored. An acknowledgement made meanwhile
 * by another process (ackAlertRow) is kept, not overwritten with the copy's none: the row's own
 * acked_at wins, and an acknowledged alert has no next repeat.
 */
export async function saveAlert(q: Q, a: Alert): Promise<Alert> {
  const { id, acked_at, acked_by, next_repeat_at, ...rest } = toRow(a)
  const row = await q
    .updateTable('alerts')
    .set({
      ...rest,
      acked_at: sql<number | null>`coalesce(acked_at, cast(${acked_at} as bigint))`,
      acked_by: sql<string | null>`coalesce(acked_by, cast(${acked_by} as text))`,
      next_repeat_at: sql<
        number | null
      >`case when acked_at is null then cast(${next_repeat_at} as bigint) end`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return fromRow(row)
}

/**
 * Acknowledges an open, unacknowledged alert in one statement, so two processes (the leader's engine,
 * a follower's HTTP API) can never both do it; undefined when it was not (unknown, cleared or acked).
 */
export async function ackAlertRow(q: Q, id: string, by: string, now: number): Promise<Alert | undefined> {
  const row = await q
    .updateTable('alerts')
    .set({ acked_at: now, acked_by: by, next_repeat_at: null })
    .where('id', '=', id)
    .where('acked_at', 'is', null)
    .where('cleared_at', 'is', null)
    .returningAll()
    .executeTakeFirst()
  return row === undefined ? undefined : fromRow(row)
}

/** Open alerts acknowledged (possibly by another process), for the engine to catch up with. */
export async function loadAckedOpenAlerts(db: Db): Promise<Alert[]> {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .where('cleared_at', 'is', null)
    .where('acked_at', 'is not', null)
    .execute()
  return rows.map(fromRow)
}

export async function getAlert(db: Db, id: string): Promise<Alert | undefined> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst()
  return row === undefined ? undefined : fromRow(row)
}

export interface AlertFilter {
  state?: AlertState | 'all' | 'unresolved'
  rule?: string
  subject?: string
  severity?: Severity
  since?: number
  limit: number
}

/** Newest first. `unresolved` (the default): open or acknowledged, not yet cleared. */
export async function listAlerts(db: Db, f: AlertFilter): Promise<Alert[]> {
  let q = db.selectFrom('alerts').selectAll()
  const state = f.state ?? 'unresolved'
  if (state === 'unresolved') q = q.where('cleared_at', 'is', null)
  if (state === 'open') q = q.where('cleared_at', 'is', null).where('acked_at', 'is', null)
  if (state === 'acked') q = q.where('cleared_at', 'is', null).where('acked_at', 'is not', null)
  if (state === 'cleared') q = q.where('cleared_at', 'is not', null)
  if (f.rule !== undefined) q = q.where('rule', '=', f.rule)
  if (f.subject !== undefined) q = q.where('subject', '=', f.subject)
  if (f.severity !== undefined) q = q.where('severity', '=', f.severity)
  if (f.since !== undefined) q = q.where('raised_at', '>=', f.since)
  const rows = await q.orderBy('raised_at', 'desc').orderBy('id').limit(f.limit).execute()
  return rows.map(fromRow)
}
