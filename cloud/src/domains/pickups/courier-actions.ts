// Closing a request by hand: the courier collected it or found nothing, or ops staff cancelled it.
// Only an open request (requested or scheduled) can be closed; the update is guarded the same way, so
// a long press committed meanwhile by the ingest writer wins and this one answers 409.
import { conflict, invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import type { PickupRequestsTable } from '../../storage/schema.js'
import { writeTx } from '../../storage/write-tx.js'
import { OPEN_STATES, type RequestChange } from './request-change.js'
import type { RoundKey } from './round-upkeep.js'
import { recordTransition } from './transitions.js'

export type ClosingState = 'collected' | 'not_found' | 'cancelled'

export interface CloseInput {
  requestId: string
  to: ClosingState
  by: string
  /** The courier's note (collected) or why it closed otherwise. */
  reason: string | null
  now: number
  webhook: boolean
}

const REASON_MAX = 200

export async function closeRequest(
  db: Db,
  c: CloseInput,
): Promise<{ change: RequestChange; round: RoundKey | null }> {
  const reason = c.reason?.trim() || null
  if (c.to !== 'collected' && reason === null) throw invalid('a reason is required')
  if (reason !== null && reason.length > REASON_MAX)
    throw invalid(`the reason is over ${REASON_MAX} characters`)
  if (!c.by.trim()) throw invalid('who closes the request must be named')
  return writeTx(db, async (trx) => {
    const row = await trx
      .selectFrom('pickup_requests as r')
      .leftJoin('rounds as o', 'o.id', 'r.round_id')
      .selectAll('r')
      .select(['o.courier_id', 'o.day'])
      .where('r.id', '=', c.requestId)
      .executeTakeFirst()
    if (row === undefined) throw notFound(`pickup request '${c.requestId}'`)
    const { courier_id, day, ...r } = row
    if (!OPEN_STATES.includes(r.state))
      throw conflict(
        `pickup request '${r.id}' is ${r.state}: only a requested or scheduled one can be closed`,
      )
    const after: PickupRequestsTable = { ...r, state: c.to, updated_at: c.now, closed_reason: reason }
    const u = await trx
      .updateTable('pickup_requests')
      .set({ state: c.to, updated_at: c.now, closed_reason: reason })
      .where('id', '=', r.id)
      .where('state', 'in', OPEN_STATES)
      .executeTakeFirst()
    if (u.numUpdatedRows === 0n) throw conflict(`pickup request '${r.id}' changed meanwhile`)
    await trx.deleteFrom('round_stops').where('request_id', '=', r.id).execute()
    await recordTransition(
      trx,
      { request: after, from: r.state, to: c.to, at: c.now, by: c.by, reason, eventId: null },
      { webhook: c.webhook },
    )
    return {
      change: { request: after, from: r.state, transition: true, courierId: courier_id, notify: true },
      round: courier_id !== null && day !== null ? { courierId: courier_id, day } : null,
    }
  })
}
