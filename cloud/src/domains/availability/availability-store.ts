// Availability rows (migration 0007): written in batches by the tracker (only records that changed),
// read once at start so a restart keeps what was known. Device statuses and health are not stored:
// every agent publishes them again, retained, when it reconnects.
import type { Db } from '../../storage/db.js'
import { type AgentAvailability, type DisconnectReason, newAvailability } from './availability-state.js'

export async function loadAvailability(db: Db): Promise<AgentAvailability[]> {
  const rows = await db.selectFrom('agent_availability').selectAll().execute()
  const n = (v: number | string | null) => (v === null ? null : Number(v))
  return rows.map((row) => {
    const r = newAvailability(row.agent)
    r.state = row.state
    r.since = n(row.since)
    r.session = row.session
    r.offlineCause = row.offline_cause
    r.lastSeen = n(row.last_seen)
    r.kinds = JSON.parse(row.kinds) as string[]
    r.lastDisconnect =
      row.last_disconnect_reason === null
        ? null
        : {
            reason: row.last_disconnect_reason as DisconnectReason,
            at: Number(row.last_disconnect_at),
            detail: row.last_disconnect_detail,
          }
    r.sessionsDay = row.sessions_day
    r.sessionsCount = Number(row.sessions_count)
    r.dirty = false
    r.savedSeen = r.lastSeen
    return r
  })
}

/** Upserts the given records in one transaction (one fsync for the lot). */
export async function saveAvailability(db: Db, records: AgentAvailability[], now: number): Promise<void> {
  if (records.length === 0) return
  await db.transaction().execute(async (trx) => {
    for (const r of records) {
      const values = {
        // A link down but within its grace is still declared as it was.
        state: r.state,
        since: r.since,
        session: r.session,
        offline_cause: r.offlineCause,
        last_seen: r.lastSeen,
        kinds: JSON.stringify(r.kinds),
        last_disconnect_reason: r.lastDisconnect?.reason ?? null,
        last_disconnect_at: r.lastDisconnect?.at ?? null,
        last_disconnect_detail: r.lastDisconnect?.detail ?? null,
        sessions_day: r.sessionsDay,
        sessions_count: r.sessionsCount,
        updated_at: now,
      }
      await trx
        .insertInto('agent_availability')
        .values({ agent: r.agent, ...values })
        .onConflict((oc) => oc.column('agent').doUpdateSet(values))
        .execute()
    }
  })
}
