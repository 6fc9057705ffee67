import { type Kysely, sql } from 'kysely'

// Availability and alerts (issue 6): what the cloud last knew of each agent's link (so a restart keeps
// "offline since", the last disconnect reason and the silence clock of an agent that never comes back),
// the alert log (open, acknowledged, cleared; one open row per incident key), and a channel on the
// webhook queue so alert notices share the signed, retried delivery of the pickup webhooks.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_availability')
    .addColumn('agent', 'text', (c) => c.primaryKey())
    // online | offline | unknown: the declared state, after the grace period (no flapping).
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('since', 'bigint')
    .addColumn('session', 'text')
    .addColumn('offline_cause', 'text')
    .addColumn('last_seen', 'bigint')
    // The device kinds of its last birth, JSON: they choose the silence timeout.
    .addColumn('kinds', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('last_disconnect_reason', 'text')
    .addColumn('last_disconnect_at', 'bigint')
    .addColumn('last_disconnect_detail', 'text')
    // Local day (RELAIS_TZ) of sessions_count, YYYY-MM-DD.
    .addColumn('sessions_day', 'text')
    .addColumn('sessions_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // rule:subject[:device]; one incident of a condition, so it is raised once.
    .addColumn('alert_key', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    // An agent id, or a remote address for broker auth failures.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('device', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    // Null while quiet hours hold the first delivery back.
    .addColumn('last_sent_at', 'bigint')
    .addColumn('next_repeat_at', 'bigint')
    .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acked_at', 'bigint')
    .addColumn('acked_by', 'text')
    .addColumn('cleared_at', 'bigint')
    .execute()
  // At most one open incident per key: a second raise of the same condition cannot slip in.
  await db.schema
    .createIndex('alerts_open_key')
    .on('alerts')
    .column('alert_key')
    .unique()
    .where(sql.ref('cleared_at'), 'is', null)
    .execute()
  await db.schema.createIndex('alerts_raised').on('alerts').columns(['raised_at']).execute()

  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('pickups'))
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_channel_due')
    .on('webhook_deliveries')
    .columns(['channel', 'delivered_at', 'next_at'])
    .execute()
}
