// Members: pseudonymous people with beacons. Relais holds no name; `ref` is whatever opaque value the
// shop wants to see (a loyalty number hash). One beacon key belongs to one member (DESIGN.md, "Beacon
// identities are pseudonymous").
import { randomBytes } from 'node:crypto'
import { isBeaconKey } from '@relais/hardware'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { writeTx } from '../../storage/write-tx.js'
import { createToken } from '../tokens/tokens.js'

export interface Member {
  id: string
  ref: string | null
  createdAt: number
}

/** A fresh pseudonym: random, so it says nothing about the person or when they joined. */
export function newMemberId(): string {
  return `m-${randomBytes(10).toString('hex')}`
}

/** Registers a member and issues their token (shown once: it opens their own page). */
export async function createMember(
  db: Db,
  input: { ref?: string },
  now = Date.now(),
): Promise<{ member: Member; token: string }> {
  const ref = input.ref?.trim() || null
  if (ref !== null && ref.length > 200) throw invalid('ref is at most 200 characters')
  const id = newMemberId()
  // One transaction: a member is never left without the token that opens their page.
  const token = await writeTx(db, async (trx) => {
    await trx.insertInto('members').values({ id, ref, created_at: now }).execute()
    return createToken(trx, { scope: 'member', memberId: id, name: `member ${id}` }, now)
  })
  return { member: { id, ref, createdAt: now }, token }
}

export async function getMember(db: Db, id: string): Promise<Member> {
  const m = await db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst()
  if (!m) throw notFound(`member '${id}'`)
  return { id: m.id, ref: m.ref, createdAt: Number(m.created_at) }
}

export async function addBeacon(db: Db, member: string, key: string, now = Date.now()): Promise<void> {
  if (!isBeaconKey(key)) throw invalid(`'${key}' is not a beacon identity key`)
  await writeTx(db, async (trx) => {
    const m = await trx.selectFrom('members').select('id').where('id', '=', member).executeTakeFirst()
    if (!m) throw notFound(`member '${member}'`)
    const b = await trx.selectFrom('beacons').select('member_id').where('key', '=', key).executeTakeFirst()
    // Same answer whoever holds it: the caller learns the key is taken, not by whom.
    if (b) throw conflict('this beacon is already registered')
    await trx.insertInto('beacons').values({ key, member_id: member, created_at: now }).execute()
  })
}

/** Removes a member's beacon; the caller pushes the new allow-lists. */
export async function removeBeacon(db: Db, member: string, key: string): Promise<void> {
  const r = await db
    .deleteFrom('beacons')
    .where('key', '=', key)
    .where('member_id', '=', member)
    .executeTakeFirst()
  if (r.numDeletedRows === 0n) throw notFound(`beacon '${key}' of member '${member}'`)
}
