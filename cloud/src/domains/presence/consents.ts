// Consents: a member's yes for one zone and purpose, until revoked or expired (DESIGN.md, "A beacon is
// reported only if its owner gave consent for that zone and purpose ... Consent can be revoked
// (effective at once), is audited"). Every change is audited in the same transaction.
import type { Kysely } from 'kysely'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import { newId } from '../../lib/ids.js'
import type { Db } from '../../storage/db.js'
import type { ConsentsTable } from '../../storage/presence-schema.js'
import type { Database } from '../../storage/schema.js'
import { writeTx } from '../../storage/write-tx.js'
import { appendAudit } from './audit.js'

export const PRESENCE_PURPOSE = 'presence'

/** Live at `at`: granted by then, never revoked, not expired. Revocation counts whenever it happened:
 * after it, nothing more about that member is recorded, even an event from before it sent late. */
export function liveAt(c: Pick<ConsentsTable, 'granted_at' | 'revoked_at' | 'expires_at'>, at: number) {
  return (
    Number(c.granted_at) <= at &&
    c.revoked_at === null &&
    (c.expires_at === null || Number(c.expires_at) > at)
  )
}

export async function grantConsent(
  db: Db,
  input: { member: string; zone: string; purpose?: string; expiresAt?: number; by: string },
  now = Date.now(),
): Promise<ConsentsTable> {
  const purpose = input.purpose ?? PRESENCE_PURPOSE
  if (input.expiresAt !== undefined && input.expiresAt <= now) throw invalid('expiresAt is in the past')
  return writeTx(db, async (trx) => {
    const m = await trx.selectFrom('members').select('id').where('id', '=', input.member).executeTakeFirst()
    if (!m) throw notFound(`member '${input.member}'`)
    const z = await trx.selectFrom('zones').select('id').where('id', '=', input.zone).executeTakeFirst()
    if (!z) throw notFound(`zone '${input.zone}'`)
    const existing = await trx
      .selectFrom('consents')
      .selectAll()
      .where('member_id', '=', input.member)
      .where('zone_id', '=', input.zone)
      .where('purpose', '=', purpose)
      .where('revoked_at', 'is', null)
      .execute()
    if (existing.some((c) => liveAt(c, now)))
      throw conflict(`member '${input.member}' already consents to ${purpose} in zone '${input.zone}'`)
    const c: ConsentsTable = {
      id: newId(),
      member_id: input.member,
      zone_id: input.zone,
      purpose,
      granted_at: now,
      granted_by: input.by,
      expires_at: input.expiresAt ?? null,
      revoked_at: null,
      revoked_by: null,
    }
    await trx.insertInto('consents').values(c).execute()
    await appendAudit(trx, {
      member: c.member_id,
      action: 'granted',
      by: input.by,
      at: now,
      consent: { id: c.id, zone: c.zone_id, purpose },
    })
    return c
  })
}

/** Revokes at once; the caller pushes the zone's allow-lists (config-publisher.ts). */
export async function revokeConsent(
  db: Db,
  input: { member: string; consent: string; by: string },
  now = Date.now(),
): Promise<ConsentsTable> {
  return writeTx(db, async (trx) => {
    const c = await trx
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', input.consent)
      .where('member_id', '=', input.member)
      .executeTakeFirst()
    if (!c) throw notFound(`consent '${input.consent}' of member '${input.member}'`)
    if (c.revoked_at !== null) throw conflict(`consent '${input.consent}' is already revoked`)
    await trx
      .updateTable('consents')
      .set({ revoked_at: now, revoked_by: input.by })
      .where('id', '=', c.id)
      .execute()
    await closeSessions(trx, c.member_id, c.zone_id, now, 'revoked')
    await appendAudit(trx, {
      member: c.member_id,
      action: 'revoked',
      by: input.by,
      at: now,
      consent: { id: c.id, zone: c.zone_id, purpose: c.purpose },
    })
    return { ...c, revoked_at: now, revoked_by: input.by }
  })
}

/** Audits each consent that expired since the last sweep; returns their zones. */
export async function auditExpired(db: Kysely<Database>, now: number): Promise<string[]> {
  return writeTx(db, async (trx) => {
    const due = await trx
      .selectFrom('consents as c')
      .selectAll('c')
      .where('c.revoked_at', 'is', null)
      .where('c.expires_at', '<=', now)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('consent_audit as a')
              .select('a.id')
              .whereRef('a.consent_id', '=', 'c.id')
              .where('a.action', '=', 'expired'),
          ),
        ),
      )
      .execute()
    for (const c of due) {
      await closeSessions(trx, c.member_id, c.zone_id, Number(c.expires_at), 'expired')
      await appendAudit(trx, {
        member: c.member_id,
        action: 'expired',
        by: 'system',
        at: Number(c.expires_at),
        consent: { id: c.id, zone: c.zone_id, purpose: c.purpose },
      })
    }
    return [...new Set(due.map((c) => c.zone_id))]
  })
}

/**
 * Ends a member's open stays in a zone: its readers forget the beacon and will send no leave. A stay
 * never ends before it began: a reader whose clock runs ahead may have stamped its enter after `at`
 * (presence-handler.ts clamps a leave the same way).
 */
async function closeSessions(
  trx: Kysely<Database>,
  member: string,
  zone: string,
  at: number,
  reason: 'revoked' | 'expired',
): Promise<void> {
  await trx
    .updateTable('presence_sessions')
    .set((eb) => ({
      left_at: eb.case().when('entered_at', '>', at).then(eb.ref('entered_at')).else(at).end(),
      leave_reason: reason,
    }))
    .where('member_id', '=', member)
    .where('zone_id', '=', zone)
    .where('left_at', 'is', null)
    .execute()
}

/** The next moment a live consent expires, for the publisher's timer. */
export async function nextExpiry(db: Kysely<Database>, now: number): Promise<number | undefined> {
  const r = await db
    .selectFrom('consents')
    .select((eb) => eb.fn.min('expires_at').as('next'))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return r?.next == null ? undefined : Number(r.next)
}
