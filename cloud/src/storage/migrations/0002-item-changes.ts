import type { Kysely } from 'kysely'

// What each scan changed, so "undo" can reverse that device's last change. `before` holds, as JSON,
// what the change did (created, incremented, decremented, checked off, re-added from quantity n).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('item_changes')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .execute()
  await db.schema
    .createIndex('item_changes_device')
    .on('item_changes')
    .columns(['agent_id', 'device_id', 'seq'])
    .execute()
}
