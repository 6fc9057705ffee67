import type { Kysely } from 'kysely'

// Epoch-ms columns are bigint: PostgreSQL's integer is 32-bit. SQLite's integer is 64-bit either way.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('households')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('household_id', 'text', (c) => c.references('households.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('household_id', 'text', (c) => c.references('households.id'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute()

  await db.schema
    .createTable('lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('household_id', 'text', (c) => c.notNull().references('households.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('lists_household').on('lists').column('household_id').execute()

  await db.schema
    .createTable('products')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('brands', 'text')
    .addColumn('quantity', 'text')
    .addColumn('image_url', 'text')
    .addColumn('categories', 'text')
    .addColumn('lang', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('household_products')
    .addColumn('household_id', 'text', (c) => c.notNull().references('households.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('named_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('household_products_pk', ['household_id', 'code'])
    .execute()

  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('list_id', 'text', (c) => c.notNull().references('lists.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('checked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unknown', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('first_scan_at', 'bigint')
    .addColumn('last_scan_at', 'bigint')
    .addColumn('last_scan_agent', 'text')
    .addColumn('last_scan_device', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('items_list_code', ['list_id', 'code'])
    .execute()

  await db.schema
    .createTable('unknown_products')
    .addColumn('household_id', 'text', (c) => c.notNull().references('households.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('display_code', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('scans', 'integer', (c) => c.notNull())
    .addColumn('named_at', 'bigint')
    .addPrimaryKeyConstraint('unknown_products_pk', ['household_id', 'code'])
    .execute()

  await db.schema
    .createTable('processed_events')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('processed_events_pk', ['agent_id', 'event_id'])
    .execute()
  await db.schema
    .createIndex('processed_events_received')
    .on('processed_events')
    .column('received_at')
    .execute()

  await db.schema
    .createTable('catalogue_lookups')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text')
    .execute()
}
