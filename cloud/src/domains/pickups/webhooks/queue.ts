// The webhook queue is the webhook_deliveries table (migration 0004): transitions.ts inserts one row per
// transition in the transition's own transaction; the dispatcher reads due rows, and marks each one
// delivered or failed with its next attempt. Nothing is held in memory, so a restart, or a receiver
// down for days, loses nothing.
//
// Order: a request's notices go out in the order its transitions were committed, never a later one
// before an earlier undelivered one. Commit order is the row's insertion order (SQLite's rowid; on
// PostgreSQL the `seq` sequence of migration 0004, drawn after the transition has locked its request's
// row, so one request's rows are numbered in commit order; the created_at column is the transition's
// clock, which a test or a second writer may not keep monotonic).
// A row is sent only when it is its request's oldest undelivered one (its "head"); on a failure, the
// request's later rows are held back to the head's next attempt, so the due index stays mostly heads.
//
// Channels (migration 0007): the table carries the pickup notices and the alert notices, each read by
// its own dispatcher (its own URL and secret). `request_id` is then whatever orders a channel's rows
// (a pickup request, an alert); nothing here is specific to pickups but the default channel.
import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../../../storage/dialect.js'
import type { Database } from '../../../storage/schema.js'

export interface DueDelivery {
  id: string
  requestId: string
  body: string
  attempts: number
}

/** The rows' insertion order: SQLite's rowid, PostgreSQL's seq column (migration 0004). */
export const insertionOrder = (db: Kysely<Database>) =>
  isPostgres(db) ? sql<number>`seq` : sql<number>`rowid`

/** Up to `limit` deliveries due at `now` that are the oldest undelivered of their request. */
export async function dueHeads(
  db: Kysely<Database>,
  now: number,
  limit: number,
  channel = 'pickups',
): Promise<DueDelivery[]> {
  const seq = insertionOrder(db)
  const due = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'request_id', seq.as('seq')])
    .where('channel', '=', channel)
    .where('delivered_at', 'is', null)
    .where('next_at', '<=', now)
    .orderBy(seq)
    .limit(limit * 4)
    .execute()
  if (due.length === 0) return []
  const requests = [...new Set(due.map((d) => d.request_id))]
  const firsts = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['request_id', eb.fn.min<number>(seq).as('first')])
    .where('channel', '=', channel)
    .where('delivered_at', 'is', null)
    .where('request_id', 'in', requests)
    .groupBy('request_id')
    .execute()
  const first = new Map(firsts.map((f) => [f.request_id, Number(f.first)]))
  const heads = due.filter((d) => first.get(d.request_id) === Number(d.seq)).slice(0, limit)
  if (heads.length === 0) return []
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'request_id', 'body', 'attempts'])
    .where(
      'id',
      'in',
      heads.map((h) => h.id),
    )
    .orderBy(seq)
    .execute()
  return rows.map((r) => ({ id: r.id, requestId: r.request_id, body: r.body, attempts: Number(r.attempts) }))
}

export async function markDelivered(
  db: Kysely<Database>,
  d: DueDelivery,
  status: number,
  now: number,
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ delivered_at: now, attempts: d.attempts + 1, last_status: status, last_error: null })
    .where('id', '=', d.id)
    .execute()
}

export async function markFailed(
  db: Kysely<Database>,
  d: DueDelivery,
  failure: { status: number | null; error: string; nextAt: number },
  channel = 'pickups',
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({
        attempts: d.attempts + 1,
        next_at: failure.nextAt,
        last_status: failure.status,
        last_error: failure.error.slice(0, 300),
      })
      .where('id', '=', d.id)
      .execute()
    await trx
      .updateTable('webhook_deliveries')
      .set({ next_at: failure.nextAt })
      .where('request_id', '=', d.requestId)
      .where('channel', '=', channel)
      .where('delivered_at', 'is', null)
      .where('next_at', '<', failure.nextAt)
      .execute()
  })
}

/** The earliest next attempt of any undelivered row, if any: the dispatcher sleeps until then. */
export async function nextDueAt(db: Kysely<Database>, channel = 'pickups'): Promise<number | undefined> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.min('next_at').as('at'))
    .where('channel', '=', channel)
    .where('delivered_at', 'is', null)
    .executeTakeFirst()
  return row?.at === null || row?.at === undefined ? undefined : Number(row.at)
}

/** Deletes rows delivered before `before`; returns how many. Undelivered rows are never pruned. */
export async function pruneDelivered(
  db: Kysely<Database>,
  before: number,
  channel = 'pickups',
): Promise<number> {
  const r = await db
    .deleteFrom('webhook_deliveries')
    .where('channel', '=', channel)
    .where('delivered_at', 'is not', null)
    .where('delivered_at', '<', before)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}

export interface DeliveryRow {
  id: string
  requestId: string
  createdAt: number
  attempts: number
  nextAt: number
  deliveredAt: number | null
  lastStatus: number | null
  lastError: string | null
}

/** For ops staff: the queue's state; pending rows oldest first (the next to go), or every row kept, newest first. */
export async function listDeliveries(
  db: Kysely<Database>,
  opts: { pending: boolean; limit: number; channel?: string },
): Promise<{ pending: number; oldestPendingAt: number | null; deliveries: DeliveryRow[] }> {
  const channel = opts.channel ?? 'pickups'
  const stats = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('channel', '=', channel)
    .where('delivered_at', 'is', null)
    .executeTakeFirstOrThrow()
  let q = db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'request_id',
      'created_at',
      'attempts',
      'next_at',
      'delivered_at',
      'last_status',
      'last_error',
    ])
    .where('channel', '=', channel)
  if (opts.pending) q = q.where('delivered_at', 'is', null)
  const rows = await q
    .orderBy(insertionOrder(db), opts.pending ? 'asc' : 'desc')
    .limit(opts.limit)
    .execute()
  return {
    pending: Number(stats.n),
    oldestPendingAt: stats.oldest === null ? null : Number(stats.oldest),
    deliveries: rows.map((r) => ({
      id: r.id,
      requestId: r.request_id,
      createdAt: Number(r.created_at),
      attempts: Number(r.attempts),
      nextAt: Number(r.next_at),
      deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
      lastStatus: r.last_status,
      lastError: r.last_error,
    })),
  }
}
