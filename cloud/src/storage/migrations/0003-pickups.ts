import { type Kysely, sql } from 'kysely'

// Pickup buttons (DESIGN.md: the pickup button): sites where buttons are placed, pickup requests with
// their state machine, and every transition kept (audit and time series).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('contact', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .alterTable('agents')
    .addColumn('site_id', 'text', (c) => c.references('sites.id'))
    .execute()

  await db.schema
    .createTable('pickup_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('window_from', 'bigint')
    .addColumn('window_to', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_reason', 'text')
    .execute()
  // One open request per button: a second press finds the first (the issue: repeat presses return the
  // same request). Enforced by the database too, so two nodes cannot both open one.
  await db.schema
    .createIndex('pickup_requests_open')
    .on('pickup_requests')
    .columns(['agent_id', 'device_id'])
    .unique()
    .where(sql.ref('state'), 'in', ['requested', 'scheduled'])
    .execute()
  await db.schema
    .createIndex('pickup_requests_site')
    .on('pickup_requests')
    .columns(['site_id', 'requested_at'])
    .execute()

  await db.schema
    .createTable('pickup_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('pickup_requests.id'))
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('event_id', 'text')
    .execute()
  await db.schema
    .createIndex('pickup_transitions_request')
    .on('pickup_transitions')
    .columns(['request_id', 'at'])
    .execute()
}
