// What Relais holds about a member (their page, their export) and its erasure. Erasure removes the
// member, their beacons, consents, sessions and tokens, and their time-series points; the consent audit
// stays (append-only, DESIGN.md) and gets an `erased` line: it names only the pseudonym.

import { notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { writeTx } from '../../storage/write-tx.js'
import { appendAudit } from './audit.js'
import { getMember, type Member } from './members.js'

/** Measurements that carry a `member` tag (ingest's points of enter and leave events). */
export const PRESENCE_MEASUREMENTS = ['enter', 'leave']

export interface MemberData {
  member: Member
  beacons: Array<{ key: string; createdAt: number }>
  consents: Array<{
    id: string
    zone: string
    purpose: string
    grantedAt: number
    grantedBy: string
    expiresAt: number | null
    revokedAt: number | null
    revokedBy: string | null
  }>
  audit: Array<{ action: string; zone: string | null; purpose: string | null; by: string; at: number }>
  sessions: Array<{
    id: string
    zone: string
    beacon: string
    agent: string
    device: string
    enteredAt: number
    leftAt: number | null
    leaveReason: string | null
  }>
}

export async function memberData(db: Db, id: string): Promise<MemberData> {
  const member = await getMember(db, id)
  const beacons = await db
    .selectFrom('beacons')
    .selectAll()
    .where('member_id', '=', id)
    .orderBy('key')
    .execute()
  const consents = await db
    .selectFrom('consents')
    .selectAll()
    .where('member_id', '=', id)
    .orderBy('granted_at')
    .execute()
  const audit = await db
    .selectFrom('consent_audit')
    .selectAll()
    .where('member_id', '=', id)
    .orderBy('at')
    .orderBy('id')
    .execute()
  const sessions = await db
    .selectFrom('presence_sessions')
    .selectAll()
    .where('member_id', '=', id)
    .orderBy('entered_at', 'desc')
    .execute()
  return {
    member,
    beacons: beacons.map((b) => ({ key: b.key, createdAt: Number(b.created_at) })),
    consents: consents.map((c) => ({
      id: c.id,
      zone: c.zone_id,
      purpose: c.purpose,
      grantedAt: Number(c.granted_at),
      grantedBy: c.granted_by,
      expiresAt: c.expires_at === null ? null : Number(c.expires_at),
      revokedAt: c.revoked_at === null ? null : Number(c.revoked_at),
      revokedBy: c.revoked_by,
    })),
    audit: audit.map((a) => ({
      action: a.action,
      zone: a.zone_id,
      purpose: a.purpose,
      by: a.by,
      at: Number(a.at),
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      zone: s.zone_id,
      beacon: s.beacon_key,
      agent: s.agent_id,
      device: s.device_id,
      enteredAt: Number(s.entered_at),
      leftAt: s.left_at === null ? null : Number(s.left_at),
      leaveReason: s.leave_reason,
    })),
  }
}

/**
 * Erases a member's relational data in one transaction. A member already erased is not an error (the
 * caller may be retrying the time-series half); one never known is a 404.
 */
export async function eraseMember(
  db: Db,
  id: string,
  by: string,
  now = Date.now(),
): Promise<{ outcome: 'erased' | 'again'; openIn: string[] }> {
  return writeTx(db, async (trx) => {
    const m = await trx.selectFrom('members').select('id').where('id', '=', id).executeTakeFirst()
    if (!m) {
      const gone = await trx
        .selectFrom('consent_audit')
        .select('id')
        .where('member_id', '=', id)
        .where('action', '=', 'erased')
        .executeTakeFirst()
      if (gone) return { outcome: 'again', openIn: [] }
      throw notFound(`member '${id}'`)
    }
    const open = await trx
      .selectFrom('presence_sessions')
      .select('zone_id')
      .distinct()
      .where('member_id', '=', id)
      .where('left_at', 'is', null)
      .execute()
    await trx.deleteFrom('presence_sessions').where('member_id', '=', id).execute()
    await trx.deleteFrom('beacons').where('member_id', '=', id).execute()
    await trx.deleteFrom('consents').where('member_id', '=', id).execute()
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('member_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
    await trx.deleteFrom('members').where('id', '=', id).execute()
    await appendAudit(trx, { member: id, action: 'erased', by, at: now })
    return { outcome: 'erased', openIn: open.map((o) => o.zone_id) }
  })
}
