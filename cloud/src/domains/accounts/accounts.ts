// Integration accounts: MQTT clients that are not agents (Home Assistant, Telegraf, Node-RED), each with
// its own secret, printed once and stored as an scrypt hash like an agent's, and topic patterns the
// broker enforces (broker/account-rules.ts). Account names and agent ids share the broker's usernames,
// so neither may take the other's.
import { isId } from '@relais/hardware'
import { type AccountRules, patternProblems } from '../../broker/account-rules.js'
import { conflict, invalid, notFound } from '../../lib/errors.js'
import { mosquittoHash } from '../../lib/mosquitto-hash.js'
import { hashSecret, newSecret } from '../../lib/secrets.js'
import type { Db } from '../../storage/db.js'

export interface AccountRecord extends AccountRules {
  name: string
  secretHash: string
  createdAt: number
  revokedAt: number | null
}

export type AccountView = Omit<AccountRecord, 'secretHash'>

type Row = {
  name: string
  secret_hash: string
  read_patterns: string
  write_patterns: string
  deny_patterns: string
  created_at: number
  revoked_at: number | null
}

function fromRow(r: Row): AccountRecord {
  return {
    name: r.name,
    secretHash: r.secret_hash,
    read: JSON.parse(r.read_patterns) as string[],
    write: JSON.parse(r.write_patterns) as string[],
    deny: JSON.parse(r.deny_patterns) as string[],
    createdAt: Number(r.created_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  }
}

const view = ({ secretHash: _s, ...rest }: AccountRecord): AccountView => rest

export async function addAccount(
  db: Db,
  input: { name: string } & AccountRules,
  now = Date.now(),
): Promise<{ account: AccountView; username: string; secret: string }> {
  if (!isId(input.name)) throw invalid('account name must be 1-63 characters of a-z, 0-9 and -')
  const rules: AccountRules = {
    read: [...new Set(input.read)],
    write: [...new Set(input.write)],
    deny: [...new Set(input.deny)],
  }
  const problems = patternProblems(rules)
  if (problems.length > 0) throw invalid(problems.join('; '))
  const secret = newSecret('rm_')
  const secretHash = await hashSecret(secret)
  const mosquitto = await mosquittoHash(secret)
  await db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('agents').select('id').where('id', '=', input.name).executeTakeFirst())
      throw conflict(`'${input.name}' is an agent id; accounts cannot use agent ids as usernames`)
    if (
      await trx.selectFrom('mqtt_accounts').select('name').where('name', '=', input.name).executeTakeFirst()
    )
      throw conflict(`account '${input.name}' already exists`)
    await trx
      .insertInto('mqtt_accounts')
      .values({
        name: input.name,
        secret_hash: secretHash,
        read_patterns: JSON.stringify(rules.read),
        write_patterns: JSON.stringify(rules.write),
        deny_patterns: JSON.stringify(rules.deny),
        created_at: now,
        revoked_at: null,
        credentials_at: now,
        mosquitto_hash: mosquitto,
      })
      .execute()
  })
  return {
    account: { name: input.name, ...rules, createdAt: now, revokedAt: null },
    username: input.name,
    secret,
  }
}

export async function findAccount(db: Db, name: string): Promise<AccountRecord | undefined> {
  const row = await db.selectFrom('mqtt_accounts').selectAll().where('name', '=', name).executeTakeFirst()
  return row === undefined ? undefined : fromRow(row)
}

export async function listAccounts(db: Db, o: { revoked?: boolean } = {}): Promise<AccountView[]> {
  let q = db.selectFrom('mqtt_accounts').selectAll().orderBy('name')
  if (o.revoked !== true) q = q.where('revoked_at', 'is', null)
  return (await q.execute()).map((r) => view(fromRow(r)))
}

/** Revokes for good; a running broker disconnects its sessions on its next credentials poll. */
export async function revokeAccount(db: Db, name: string, now = Date.now()): Promise<{ revokedAt: number }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('mqtt_accounts')
      .select('revoked_at')
      .where('name', '=', name)
      .executeTakeFirst()
    if (row === undefined) throw notFound(`account '${name}'`)
    if (row.revoked_at !== null) return { revokedAt: Number(row.revoked_at) }
    await trx
      .updateTable('mqtt_accounts')
      .set({ revoked_at: now, credentials_at: now })
      .where('name', '=', name)
      .execute()
    return { revokedAt: now }
  })
}
