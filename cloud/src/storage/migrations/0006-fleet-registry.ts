import { type Kysely, sql } from 'kysely'

// The fleet registry (issue 6): what kind an agent is and where it is placed, its tags, the firmware and
// config it last reported, and when its credentials last changed; and integration accounts, the other
// MQTT clients (Home Assistant, Telegraf, Node-RED) with their topic patterns.
//
// `credentials_at` moves on every rotate and revoke, so the running cloud finds changed credentials with
// one indexed range read per poll (broker/credential-watch.ts) even when the CLI made the change.
// `zone_id` is the zone a beacon reader stands in; it names the presence domain's zones without a
// foreign key, so this migration does not depend on 0005.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agents').addColumn('kind', 'text').execute()
  await db.schema.alterTable('agents').addColumn('zone_id', 'text').execute()
  await db.schema.alterTable('agents').addColumn('firmware_version', 'text').execute()
  await db.schema.alterTable('agents').addColumn('config_hash', 'text').execute()
  await db.schema.alterTable('agents').addColumn('reported_at', 'bigint').execute()
  await db.schema.alterTable('agents').addColumn('credentials_at', 'bigint').execute()
  // Agents made before the registry: a household's agent is a fridge scanner, a site's a pickup button.
  await sql`update agents set kind = case when site_id is not null then 'button' else 'scanner' end`.execute(
    db,
  )
  await sql`update agents set credentials_at = coalesce(revoked_at, created_at)`.execute(db)
  await db.schema.createIndex('agents_credentials_at').on('agents').column('credentials_at').execute()

  await db.schema
    .createTable('agent_tags')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_tags_pk', ['agent_id', 'tag'])
    .execute()
  await db.schema.createIndex('agent_tags_tag').on('agent_tags').column('tag').execute()

  await db.schema
    .createTable('mqtt_accounts')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    // JSON arrays of MQTT topic filters.
    .addColumn('read_patterns', 'text', (c) => c.notNull())
    .addColumn('write_patterns', 'text', (c) => c.notNull())
    .addColumn('deny_patterns', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('credentials_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('mqtt_accounts_credentials_at')
    .on('mqtt_accounts')
    .column('credentials_at')
    .execute()
}
