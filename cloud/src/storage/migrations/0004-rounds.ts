import type { Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

// Courier rounds (issue 4): depots, couriers with their working day, the round of each courier's day
// and its ordered stops, which courier serves a site, courier- and site-scoped API tokens, and the
// durable queue of webhook deliveries (one row per transition, written in the transition's transaction,
// so a crash between the change and the POST loses nothing).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('depots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lon', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('couriers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('depot_id', 'text', (c) => c.notNull().references('depots.id'))
    .addColumn('phone', 'text')
    // The working day in minutes after local midnight (RELAIS_TZ): the round starts and ends here.
    .addColumn('shift_start_min', 'integer', (c) => c.notNull().defaultTo(480))
    .addColumn('shift_end_min', 'integer', (c) => c.notNull().defaultTo(1080))
    .addColumn('speed_mps', 'double precision', (c) => c.notNull().defaultTo(8.3))
    .addColumn('service_s', 'integer', (c) => c.notNull().defaultTo(180))
    .addColumn('window_s', 'integer', (c) => c.notNull().defaultTo(3600))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute()

  await db.schema
    .alterTable('sites')
    .addColumn('courier_id', 'text', (c) => c.references('couriers.id'))
    .execute()

  await db.schema
    .createTable('rounds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('courier_id', 'text', (c) => c.notNull().references('couriers.id'))
    // Local calendar day (RELAIS_TZ), YYYY-MM-DD.
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('depot_id', 'text', (c) => c.notNull().references('depots.id'))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('length_m', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('planned_at', 'bigint', (c) => c.notNull())
    // Bumped on every re-plan, so a page can tell a stale view from the current one.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('rounds_courier_day')
    .on('rounds')
    .columns(['courier_id', 'day'])
    .unique()
    .execute()

  await db.schema
    .createTable('round_stops')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('request_id', 'text', (c) => c.notNull().references('pickup_requests.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('arrival', 'bigint', (c) => c.notNull())
    .addColumn('window_from', 'bigint', (c) => c.notNull())
    .addColumn('window_to', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_stops_pk', ['round_id', 'request_id'])
    .execute()
  await db.schema.createIndex('round_stops_request').on('round_stops').columns(['request_id']).execute()

  await db.schema
    .alterTable('pickup_requests')
    .addColumn('round_id', 'text', (c) => c.references('rounds.id'))
    .execute()

  await db.schema
    .alterTable('api_tokens')
    .addColumn('courier_id', 'text', (c) => c.references('couriers.id'))
    .execute()
  await db.schema
    .alterTable('api_tokens')
    .addColumn('site_id', 'text', (c) => c.references('sites.id'))
    .execute()

  await db.schema
    .createTable('webhook_deliveries')
    // The transition's id: one delivery per transition, so a retried insert cannot queue it twice.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    // Insertion order, which the dispatcher sends a request's notices in (webhooks/queue.ts). SQLite
    // has it as rowid; PostgreSQL has no such column, so it gets a sequence (SQLite's table is unchanged).
    .$call((t) => (isPostgres(db) ? t.addColumn('seq', 'bigserial', (c) => c.notNull()) : t))
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['delivered_at', 'next_at'])
    .execute()
}
