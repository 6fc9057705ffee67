// API bearer tokens: household (its own lists), courier (its own round), site (a customer's own site),
// member (their own presence data), zone (its staff's view of who is present) and ops. Shown once at
// creation; stored hashed (sha256: they are 256-bit random, see lib/secrets.ts).
import type { Kysely } from 'kysely'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import { newId } from '../../lib/ids.js'
import { newSecret, sha256 } from '../../lib/secrets.js'
import type { Database } from '../../storage/schema.js'

export type TokenScope = 'household' | 'courier' | 'ops' | 'site' | 'member' | 'zone'
export interface TokenIdentity {
  tokenId: string
  scope: TokenScope
  householdId: string | null
  /** A courier token's courier; null on other scopes (and on a courier token made before 0004). */
  courierId: string | null
  /** A site token's site; null on other scopes. */
  siteId: string | null
  /** A member token's member; null on other scopes. */
  memberId: string | null
  /** A zone token's zone; null on other scopes. */
  zoneId: string | null
}

export interface TokenInput {
  scope: TokenScope
  householdId?: string
  courierId?: string
  siteId?: string
  memberId?: string
  zoneId?: string
  name: string
}

const PREFIX: Record<TokenScope, string> = {
  household: 'rh_',
  courier: 'rc_',
  ops: 'ro_',
  site: 'rs_',
  member: 'rm_',
  zone: 'rz_',
}

export async function createToken(
  db: Kysely<Database>,
  input: TokenInput,
  now = Date.now(),
): Promise<string> {
  const token = newSecret(PREFIX[input.scope])
  await db
    .insertInto('api_tokens')
    .values({
      id: newId(),
      token_hash: sha256(token),
      scope: input.scope,
      household_id: input.householdId ?? null,
      courier_id: input.courierId ?? null,
      site_id: input.siteId ?? null,
      member_id: input.memberId ?? null,
      zone_id: input.zoneId ?? null,
      name: input.name,
      created_at: now,
      revoked_at: null,
    })
    .execute()
  return token
}

export interface IssuedToken {
  id: string
  token: string
  scope: TokenScope
  courierId: string | null
  siteId: string | null
  zoneId: string | null
  name: string
}

/**
 * A staff or customer token with its subject checked: a courier token names a courier that exists and
 * is not retired, a site token a site that exists; ops names neither. (Household tokens come with their
 * household: domains/households.)
 */
export async function issueToken(
  db: Kysely<Database>,
  input: {
    scope: 'ops' | 'courier' | 'site' | 'zone'
    courierId?: string
    siteId?: string
    zoneId?: string
    name?: string
  },
  now = Date.now(),
): Promise<IssuedToken> {
  const { scope, courierId, siteId, zoneId } = input
  if (zoneId !== undefined && scope !== 'zone') throw invalid(`a ${scope} token names no zone`)
  if (scope === 'courier') {
    if (courierId === undefined || siteId !== undefined) throw invalid('a courier token names one courier')
    const c = await db
      .selectFrom('couriers')
      .select(['id', 'retired_at'])
      .where('id', '=', courierId)
      .executeTakeFirst()
    if (!c) throw notFound(`courier '${courierId}'`)
    if (c.retired_at !== null) throw conflict(`courier '${courierId}' is retired`)
  } else if (scope === 'site') {
    if (siteId === undefined || courierId !== undefined) throw invalid('a site token names one site')
    const s = await db.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst()
    if (!s) throw notFound(`site '${siteId}'`)
  } else if (scope === 'zone') {
    if (zoneId === undefined || courierId !== undefined || siteId !== undefined)
      throw invalid('a zone token names one zone')
    const z = await db.selectFrom('zones').select('id').where('id', '=', zoneId).executeTakeFirst()
    if (!z) throw notFound(`zone '${zoneId}'`)
  } else if (courierId !== undefined || siteId !== undefined) {
    throw invalid('an ops token names no courier or site')
  }
  const name = input.name?.trim() || (scope === 'ops' ? 'ops' : `${scope} ${courierId ?? siteId ?? zoneId}`)
  const token = newSecret(PREFIX[scope])
  const id = newId()
  await db
    .insertInto('api_tokens')
    .values({
      id,
      token_hash: sha256(token),
      scope,
      household_id: null,
      courier_id: courierId ?? null,
      site_id: siteId ?? null,
      member_id: null,
      zone_id: zoneId ?? null,
      name,
      created_at: now,
      revoked_at: null,
    })
    .execute()
  return {
    id,
    token,
    scope,
    courierId: courierId ?? null,
    siteId: siteId ?? null,
    zoneId: zoneId ?? null,
    name,
  }
}

/** Revokes at once: the next request with it is a 401. Revoking twice is a conflict, not a no-op. */
export async function revokeToken(db: Kysely<Database>, id: string, now = Date.now()): Promise<void> {
  const row = await db.selectFrom('api_tokens').select(['revoked_at']).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`token '${id}'`)
  if (row.revoked_at !== null) throw conflict(`token '${id}' is already revoked`)
  await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute()
}

export async function findToken(db: Kysely<Database>, token: string): Promise<TokenIdentity | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'scope', 'household_id', 'courier_id', 'site_id', 'member_id', 'zone_id', 'revoked_at'])
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst()
  if (!row || row.revoked_at !== null) return undefined
  return {
    tokenId: row.id,
    scope: row.scope,
    householdId: row.household_id,
    courierId: row.courier_id,
    siteId: row.site_id,
    memberId: row.member_id,
    zoneId: row.zone_id,
  }
}
