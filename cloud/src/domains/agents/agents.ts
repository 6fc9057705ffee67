// Agents: one edge process, also its MQTT client id and username. Each has its own secret, issued once
// at provisioning and stored only as an scrypt hash (DESIGN.md, security). Rotating replaces the hash and
// revoking marks the agent: either moves `credentials_at`, which the running broker polls to disconnect
// a session that authenticated with the old secret (broker/credential-watch.ts).
import { assertId, isId } from '@relais/hardware'
import { conflict, invalid, notFound, RelaisError } from '../../lib/errors.js'
import { mosquittoHash } from '../../lib/mosquitto-hash.js'
import { hashSecret, newSecret } from '../../lib/secrets.js'
import type { Db } from '../../storage/db.js'
import { AGENT_KINDS, type AgentKind, placementOf } from './kinds.js'

export interface AgentRecord {
  id: string
  householdId: string | null
  secretHash: string
  revokedAt: number | null
}

export interface NewAgent {
  id: string
  kind?: AgentKind
  householdId?: string
  siteId?: string
  zoneId?: string
  tags?: string[]
}

export const agentRevoked = (id: string) => new RelaisError('agent_revoked', `agent '${id}' is revoked`, 409)

async function exists(db: Db, table: 'households' | 'sites', id: string): Promise<boolean> {
  return (await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

export async function addAgent(
  db: Db,
  input: NewAgent,
  now = Date.now(),
): Promise<{
  agent: {
    id: string
    kind: AgentKind
    householdId: string | null
    siteId: string | null
    zoneId: string | null
  }
  username: string
  secret: string
}> {
  const id = assertId('agent', input.id)
  const { kind, householdId, siteId, zoneId } = placementOf(input)
  if (zoneId !== null && !isId(zoneId)) throw invalid('zone must be an id ([a-z0-9-])')
  const tags = normaliseTags(input.tags ?? [])
  const secret = newSecret('ra_')
  const secretHash = await hashSecret(secret)
  const mosquitto = await mosquittoHash(secret)
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('agents').select('id').where('id', '=', id).executeTakeFirst()) {
      throw conflict(`agent '${id}' already exists`)
    }
    // Agents and integration accounts share the broker's usernames.
    if (await trx.selectFrom('mqtt_accounts').select('name').where('name', '=', id).executeTakeFirst()) {
      throw conflict(`'${id}' is the username of an integration account`)
    }
    if (siteId !== null && !(await exists(trx, 'sites', siteId))) throw notFound(`site '${siteId}'`)
    if (householdId !== null && !(await exists(trx, 'households', householdId)))
      throw notFound(`household '${householdId}'`)
    await trx
      .insertInto('agents')
      .values({
        id,
        kind,
        household_id: householdId,
        site_id: siteId,
        zone_id: zoneId,
        secret_hash: secretHash,
        created_at: now,
        revoked_at: null,
        firmware_version: null,
        config_hash: null,
        reported_at: null,
        credentials_at: now,
        // For an external Mosquitto's password file (broker/mosquitto-export.ts).
        mosquitto_hash: mosquitto,
      })
      .execute()
    if (tags.length > 0)
      await trx
        .insertInto('agent_tags')
        .values(tags.map((tag) => ({ agent_id: id, tag })))
        .execute()
  })
  return { agent: { id, kind, householdId, siteId, zoneId }, username: id, secret }
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

/** A new secret, returned once; the old one stops working (a session using it is disconnected). */
export async function rotateAgentSecret(db: Db, id: string, now = Date.now()): Promise<{ secret: string }> {
  const secret = newSecret('ra_')
  const secretHash = await hashSecret(secret)
  const mosquitto = await mosquittoHash(secret)
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('agents').select('revoked_at').where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw notFound(`agent '${id}'`)
    if (row.revoked_at !== null) throw agentRevoked(id)
    await trx
      .updateTable('agents')
      .set({ secret_hash: secretHash, mosquitto_hash: mosquitto, credentials_at: now })
      .where('id', '=', id)
      .execute()
  })
  return { secret }
}

/** Revokes an agent for good; revoking twice keeps the first time. */
export async function revokeAgent(db: Db, id: string, now = Date.now()): Promise<{ revokedAt: number }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('agents').select('revoked_at').where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw notFound(`agent '${id}'`)
    // Number(): PostgreSQL's driver returns bigint columns as strings.
    if (row.revoked_at !== null) return { revokedAt: Number(row.revoked_at) }
    await trx
      .updateTable('agents')
      .set({ revoked_at: now, credentials_at: now })
      .where('id', '=', id)
      .execute()
    return { revokedAt: now }
  })
}

/** Tags are ids too, so they read the same in a URL, a shell and a Grafana variable. */
export function normaliseTags(tags: string[]): string[] {
  for (const t of tags) if (!isId(t)) throw invalid(`tag '${t}' must be an id ([a-z0-9-], 1-63 characters)`)
  return [...new Set(tags)].sort()
}

export { AGENT_KINDS, type AgentKind }
