// Every state change of a pickup request is kept: who, when, why, and the event that caused it (the
// issue's audit). With webhooks on, the delivery is queued in the same transaction as the change, so a
// crash between the two can neither lose the notice nor send one for a change that rolled back.
import type { Kysely } from 'kysely'
import { newId } from '../../lib/ids.js'
import type { Database, PickupRequestsTable } from '../../storage/schema.js'

export interface TransitionInput {
  /** The request as it is after the change. */
  request: PickupRequestsTable
  from: PickupRequestsTable['state'] | null
  to: PickupRequestsTable['state']
  at: number
  /** 'agent/device', 'courier:<id>', 'ops:<token id>', 'system'. */
  by: string
  reason: string | null
  eventId: string | null
}

export interface TransitionOptions {
  /** Queue a webhook delivery for this transition (RELAIS_WEBHOOK_URL is set). */
  webhook: boolean
}

/** The webhook body: fixed at enqueue time, so every retry signs and sends the same bytes. */
export interface TransitionNotice {
  type: 'pickup.transition'
  id: string
  at: number
  from: string | null
  to: string
  by: string
  reason: string | null
  request: {
    id: string
    site: string
    agent: string
    device: string
    state: string
    requestedAt: number
    window: { from: number; to: number } | null
    round: string | null
  }
}

export async function recordTransition(
  trx: Kysely<Database>,
  t: TransitionInput,
  opts: TransitionOptions,
): Promise<string> {
  const id = newId()
  await trx
    .insertInto('pickup_transitions')
    .values({
      id,
      request_id: t.request.id,
      from_state: t.from,
      to_state: t.to,
      at: t.at,
      by: t.by,
      reason: t.reason,
      event_id: t.eventId,
    })
    .execute()
  if (opts.webhook) {
    const r = t.request
    const notice: TransitionNotice = {
      type: 'pickup.transition',
      id,
      at: t.at,
      from: t.from,
      to: t.to,
      by: t.by,
      reason: t.reason,
      request: {
        id: r.id,
        site: r.site_id,
        agent: r.agent_id,
        device: r.device_id,
        state: r.state,
        requestedAt: Number(r.requested_at),
        window:
          r.window_from !== null && r.window_to !== null
            ? { from: Number(r.window_from), to: Number(r.window_to) }
            : null,
        round: r.round_id,
      },
    }
    await trx
      .insertInto('webhook_deliveries')
      .values({
        id,
        request_id: r.id,
        body: JSON.stringify(notice),
        created_at: t.at,
        next_at: t.at,
        delivered_at: null,
        last_status: null,
        last_error: null,
      })
      .execute()
  }
  return id
}
