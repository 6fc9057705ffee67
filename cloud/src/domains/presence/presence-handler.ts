// The `enter` and `leave` events' domain (beacon readers, hardware/src/kinds/beacon.ts). Runs inside the
// ingest transaction, so the session and the dedupe record commit together (DESIGN.md, delivery rule 3).
// The consent gate (DESIGN.md, "A beacon is reported only if its owner gave consent for that zone and
// purpose"): the reader is placed in the event's zone, the beacon is registered, and its member has a
// live `presence` consent for that zone at the event's time. Otherwise the event is refused and nothing
// about it is stored: no session, no beacon key in the ack or the time series, only a count.
import type { Ack, EnterEvent, LeaveEvent } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { EventHandler, HandlerResult, IncomingEvent } from '../../ingest/batch-apply.js'
import { newId } from '../../lib/ids.js'
import type { Database } from '../../storage/schema.js'
import { liveAt, PRESENCE_PURPOSE } from './consents.js'
import { readerZone } from './placements.js'

export type RefusalReason = 'no_consent' | 'unknown_beacon' | 'wrong_zone'

/** A committed enter or leave, as plain data (it may cross from the writer thread). */
export interface PresenceEffect {
  kind: 'enter' | 'leave'
  zone: string
  member: string
  agent: string
  device: string
  session: string
  at: number
}

type Gate = { ok: true; zone: string; member: string } | { ok: false; reason: RefusalReason; zone?: string }

export class PresenceHandler implements EventHandler {
  async apply(trx: Kysely<Database>, events: IncomingEvent[]): Promise<HandlerResult[]> {
    const out: HandlerResult[] = []
    // One at a time: an enter and its leave may share a batch, and the leave must see the session.
    for (const e of events) out.push(await this.one(trx, e))
    return out
  }

  private async one(trx: Kysely<Database>, e: IncomingEvent): Promise<HandlerResult> {
    const data = e.message.data as EnterEvent | LeaveEvent
    const gate = await this.gate(trx, e, data)
    if (!gate.ok) {
      const ack: Ack = { outcome: 'refused', reason: gate.reason }
      return { ack, tags: { zone: gate.zone ?? 'none', reason: gate.reason } }
    }
    const tags = { zone: gate.zone, member: gate.member }
    const open = await trx
      .selectFrom('presence_sessions')
      .select(['id', 'entered_at'])
      .where('beacon_key', '=', data.beacon)
      .where('agent_id', '=', e.agent)
      .where('device_id', '=', e.device)
      .where('left_at', 'is', null)
      .executeTakeFirst()
    const base = { zone: gate.zone, member: gate.member, agent: e.agent, device: e.device }
    if (e.name === 'enter') {
      if (open) return { ack: { outcome: 'duplicate', detail: 'already present' }, tags }
      const id = newId()
      await trx
        .insertInto('presence_sessions')
        .values({
          id,
          member_id: gate.member,
          beacon_key: data.beacon,
          zone_id: gate.zone,
          agent_id: e.agent,
          device_id: e.device,
          entered_at: data.at,
          left_at: null,
          leave_reason: null,
        })
        .execute()
      const effect: PresenceEffect = { kind: 'enter', ...base, session: id, at: data.at }
      return { ack: { outcome: 'recorded' }, tags, effect }
    }
    const leave = data as LeaveEvent
    if (!open) return { ack: { outcome: 'duplicate', detail: 'no open session' }, tags }
    // A reader's clock may put the last sighting before the enter it pairs with; never end before it.
    const leftAt = Math.max(leave.at, Number(open.entered_at))
    await trx
      .updateTable('presence_sessions')
      .set({ left_at: leftAt, leave_reason: leave.reason })
      .where('id', '=', open.id)
      .execute()
    const effect: PresenceEffect = { kind: 'leave', ...base, session: open.id, at: leftAt }
    return { ack: { outcome: 'recorded' }, tags, effect }
  }

  private async gate(trx: Kysely<Database>, e: IncomingEvent, data: EnterEvent | LeaveEvent): Promise<Gate> {
    const zone = await readerZone(trx, e.agent, e.device)
    if (zone === undefined || zone !== data.zone) return { ok: false, reason: 'wrong_zone', zone }
    const beacon = await trx
      .selectFrom('beacons')
      .select('member_id')
      .where('key', '=', data.beacon)
      .executeTakeFirst()
    if (beacon === undefined) return { ok: false, reason: 'unknown_beacon', zone }
    // A leave is judged at its enter's time too: a stay that began under consent may be closed.
    const at = e.name === 'leave' ? (data as LeaveEvent).enteredAt : data.at
    const consents = await trx
      .selectFrom('consents')
      .select(['granted_at', 'revoked_at', 'expires_at'])
      .where('member_id', '=', beacon.member_id)
      .where('zone_id', '=', zone)
      .where('purpose', '=', PRESENCE_PURPOSE)
      .where('revoked_at', 'is', null)
      .execute()
    if (!consents.some((c) => liveAt(c, at))) return { ok: false, reason: 'no_consent', zone }
    return { ok: true, zone, member: beacon.member_id }
  }
}
