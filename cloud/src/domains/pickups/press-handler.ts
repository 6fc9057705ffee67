// The `press` event's domain (the pickup button): single = request a pickup (one open request per
// button: a repeat press returns the same one), long = cancel the open request, double = ask for its
// status again. Runs inside the ingest transaction; the ack carries the request and its state.
import type { Ack, AckPickup, PressEvent } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { EventHandler, HandlerResult, IncomingEvent } from '../../ingest/batch-apply.js'
import { newId } from '../../lib/ids.js'
import type { Database, PickupRequestsTable } from '../../storage/schema.js'
import { recordTransition, type TransitionOptions } from './transitions.js'

const OPEN: ReadonlyArray<PickupRequestsTable['state']> = ['requested', 'scheduled']

/** What a committed press changed, as plain data (it may cross from the writer thread). */
export interface PressEffect {
  siteId: string
  requestId: string
  state: PickupRequestsTable['state']
  /** The round it was on (a cancelled request): the round service re-plans it. */
  roundId: string | null
}

export function ackPickup(r: PickupRequestsTable): AckPickup {
  const p: AckPickup = { id: r.id, state: r.state, since: Number(r.updated_at) }
  if (r.window_from !== null && r.window_to !== null)
    p.window = { from: Number(r.window_from), to: Number(r.window_to) }
  if (r.closed_reason !== null && r.state !== 'collected') p.reason = r.closed_reason
  return p
}

export class PressHandler implements EventHandler {
  constructor(private readonly opts: TransitionOptions = { webhook: false }) {}

  async apply(trx: Kysely<Database>, events: IncomingEvent[], now: number): Promise<HandlerResult[]> {
    const out: HandlerResult[] = []
    // Presses are rare (a few a day per button): one at a time keeps the state machine plain.
    for (const e of events) out.push(await this.one(trx, e, now))
    return out
  }

  private async one(trx: Kysely<Database>, e: IncomingEvent, now: number): Promise<HandlerResult> {
    if (e.siteId === null)
      return { ack: { outcome: 'rejected', reason: 'agent_not_placed', detail: 'the button is at no site' } }
    const press = (e.message.data as PressEvent).press
    const open = await trx
      .selectFrom('pickup_requests')
      .selectAll()
      .where('agent_id', '=', e.agent)
      .where('device_id', '=', e.device)
      .where('state', 'in', OPEN)
      .executeTakeFirst()
    const by = `${e.agent}/${e.device}`
    const tags = { site: e.siteId, press }
    if (press === 'single') {
      if (open) return { ack: { outcome: 'pickup_open', pickup: ackPickup(open) }, tags }
      const r: PickupRequestsTable = {
        id: newId(),
        site_id: e.siteId,
        agent_id: e.agent,
        device_id: e.device,
        state: 'requested',
        requested_at: now,
        window_from: null,
        window_to: null,
        updated_at: now,
        closed_reason: null,
        round_id: null,
      }
      await trx.insertInto('pickup_requests').values(r).execute()
      await recordTransition(
        trx,
        { request: r, from: null, to: 'requested', at: now, by, reason: null, eventId: e.message.id },
        this.opts,
      )
      return this.result('pickup_requested', r, tags)
    }
    if (press === 'long') {
      if (!open) return { ack: { outcome: 'no_open_pickup' }, tags }
      await trx
        .updateTable('pickup_requests')
        .set({ state: 'cancelled', updated_at: now, closed_reason: 'cancelled at the button' })
        .where('id', '=', open.id)
        .execute()
      const closed: PickupRequestsTable = {
        ...open,
        state: 'cancelled',
        updated_at: now,
        closed_reason: 'cancelled at the button',
      }
      await recordTransition(
        trx,
        {
          request: closed,
          from: open.state,
          to: 'cancelled',
          at: now,
          by,
          reason: 'long press',
          eventId: e.message.id,
        },
        this.opts,
      )
      return this.result('pickup_cancelled', closed, tags)
    }
    // double: show the open request, or the latest one closed in the last day (collected, not found...).
    const shown =
      open ??
      (await trx
        .selectFrom('pickup_requests')
        .selectAll()
        .where('agent_id', '=', e.agent)
        .where('device_id', '=', e.device)
        .where('updated_at', '>', now - 86_400_000)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst())
    return shown
      ? { ack: { outcome: 'pickup_status', pickup: ackPickup(shown) }, tags }
      : { ack: { outcome: 'no_open_pickup' }, tags }
  }

  private result(
    outcome: Ack['outcome'],
    r: PickupRequestsTable,
    tags: Record<string, string>,
  ): HandlerResult {
    const effect: PressEffect = { siteId: r.site_id, requestId: r.id, state: r.state, roundId: r.round_id }
    return { ack: { outcome, pickup: ackPickup(r) }, tags, effect }
  }
}
