import type { Kysely } from 'kysely'

// External broker mode (issue 7): each agent's and account's secret also as Mosquitto 2.0 expects it in a
// password file ($7$ PBKDF2-SHA512, lib/mosquitto-hash.ts), written with the scrypt hash wherever a secret
// is made or rotated. The scrypt hash cannot be turned into it, so rows made before this migration keep
// null: `relais broker export-mosquitto` lists them as needing `relais agent rotate`.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agents').addColumn('mosquitto_hash', 'text').execute()
  await db.schema.alterTable('mqtt_accounts').addColumn('mosquitto_hash', 'text').execute()
}
