// API bearer tokens: household (its own lists), courier and ops. Shown once at creation; stored hashed.
import type { Kysely } from 'kysely'
import { newId } from '../../lib/ids.js'
import { newSecret, sha256 } from '../../lib/secrets.js'
import type { Database } from '../../storage/schema.js'

export type TokenScope = 'household' | 'courier' | 'ops' | 'site'
export interface TokenIdentity {
  tokenId: string
  scope: TokenScope
  householdId: string | null
}

const PREFIX: Record<TokenScope, string> = { household: 'rh_', courier: 'rc_', ops: 'ro_', site: 'rs_' }

export async function createToken(
  db: Kysely<Database>,
  input: { scope: TokenScope; householdId?: string; name: string },
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
      name: input.name,
      created_at: now,
      revoked_at: null,
    })
    .execute()
  return token
}

export async function findToken(db: Kysely<Database>, token: string): Promise<TokenIdentity | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'scope', 'household_id', 'revoked_at'])
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst()
  if (!row || row.revoked_at !== null) return undefined
  return { tokenId: row.id, scope: row.scope, householdId: row.household_id }
}
