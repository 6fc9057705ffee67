// Agents: one edge process, also its MQTT client id and username. Each has its own secret, issued once
// at provisioning and stored only as an scrypt hash (DESIGN.md, security).
import { assertId } from '@relais/hardware'
import { conflict, notFound } from '../../lib/errors.js'
import { hashSecret, newSecret } from '../../lib/secrets.js'
import type { Db } from '../../storage/db.js'

export interface AgentRecord {
  id: string
  householdId: string | null
  secretHash: string
  revokedAt: number | null
}

export async function addAgent(
  db: Db,
  input: { id: string; householdId?: string; siteId?: string },
  now = Date.now(),
): Promise<{
  agent: { id: string; householdId: string | null; siteId: string | null }
  username: string
  secret: string
}> {
  const id = assertId('agent', input.id)
  const secret = newSecret('ra_')
  const secretHash = await hashSecret(secret)
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('agents').select('id').where('id', '=', id).executeTakeFirst()) {
      throw conflict(`agent '${id}' already exists`)
    }
    if (input.siteId !== undefined) {
      const site = await trx
        .selectFrom('sites')
        .select('id')
        .where('id', '=', input.siteId)
        .executeTakeFirst()
      if (!site) throw notFound(`site '${input.siteId}'`)
    }
    if (input.householdId !== undefined) {
      const h = await trx
        .selectFrom('households')
        .select('id')
        .where('id', '=', input.householdId)
        .executeTakeFirst()
      if (!h) throw notFound(`household '${input.householdId}'`)
    }
    await trx
      .insertInto('agents')
      .values({
        id,
        household_id: input.householdId ?? null,
        site_id: input.siteId ?? null,
        secret_hash: secretHash,
        created_at: now,
        revoked_at: null,
      })
      .execute()
  })
  return {
    agent: { id, householdId: input.householdId ?? null, siteId: input.siteId ?? null },
    username: id,
    secret,
  }
}

export async function findAgent(db: Db, id: string): Promise<AgentRecord | undefined> {
  const row = await db
    .selectFrom('agents')
    .select(['id', 'household_id', 'secret_hash', 'revoked_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return { id: row.id, householdId: row.household_id, secretHash: row.secret_hash, revokedAt: row.revoked_at }
}
