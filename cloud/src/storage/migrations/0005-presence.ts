import type { Kysely } from 'kysely'

// Presence with consent (issue 5; DESIGN.md, "Security and privacy"): zones and where each beacon reader
// stands, pseudonymous members and their beacons, consents per zone and purpose with an append-only
// audit, presence sessions, the desired config revision per agent, and member/zone API tokens.
// Members carry no name: `ref` is an opaque value the shop may use (a loyalty number hash). No foreign
// key points at members, so erasing one deletes its row and leaves the audit's pseudonym standing.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('zones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.references('sites.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('reader_placements')
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'text', (c) => c.notNull().references('zones.id'))
    .addColumn('placed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reader_placements_pk', ['agent_id', 'device_id'])
    .execute()
  await db.schema.createIndex('reader_placements_zone').on('reader_placements').columns(['zone_id']).execute()

  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ref', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('beacons')
    // The identity key (hardware/src/kinds/beacon.ts): one key, one member.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('beacons_member').on('beacons').columns(['member_id']).execute()

  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'text', (c) => c.notNull().references('zones.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .execute()
  await db.schema.createIndex('consents_member').on('consents').columns(['member_id']).execute()
  await db.schema.createIndex('consents_zone').on('consents').columns(['zone_id', 'purpose']).execute()

  // Append-only: rows are inserted, never updated or deleted (erase keeps them: they name the pseudonym).
  await db.schema
    .createTable('consent_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'text')
    .addColumn('zone_id', 'text')
    .addColumn('purpose', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('consent_audit_member')
    .on('consent_audit')
    .columns(['member_id', 'at'])
    .execute()

  await db.schema
    .createTable('presence_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('beacon_key', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'bigint', (c) => c.notNull())
    .addColumn('left_at', 'bigint')
    .addColumn('leave_reason', 'text')
    .execute()
  await db.schema
    .createIndex('presence_sessions_open')
    .on('presence_sessions')
    .columns(['beacon_key', 'agent_id', 'device_id', 'left_at'])
    .execute()
  await db.schema
    .createIndex('presence_sessions_zone')
    .on('presence_sessions')
    .columns(['zone_id', 'left_at'])
    .execute()
  await db.schema
    .createIndex('presence_sessions_member')
    .on('presence_sessions')
    .columns(['member_id'])
    .execute()
  await db.schema
    .createIndex('presence_sessions_entered')
    .on('presence_sessions')
    .columns(['entered_at'])
    .execute()

  // The agent's desired config (data of relais/v1/<agent>/config) and its revision, which only grows.
  await db.schema
    .createTable('agent_configs')
    .addColumn('agent_id', 'text', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('api_tokens').addColumn('member_id', 'text').execute()
  await db.schema
    .alterTable('api_tokens')
    .addColumn('zone_id', 'text', (c) => c.references('zones.id'))
    .execute()
}
