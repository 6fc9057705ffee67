import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

// The dedupe key's primary key becomes (event_id, agent_id). Event ids are made when the event happens
// and our devices make them time-first (hardware's newMessageId, UUIDv7 layout), so new keys land at the
// right edge of the index, all agents' together. Keyed agent first, each agent had its own insertion
// point inside the index: every batch dirtied (and split) a leaf page per agent, a third of the pages
// each SQLite commit wrote (npm run bench:apply). Lookups give both columns, so either order serves them.
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`ALTER TABLE processed_events DROP CONSTRAINT processed_events_pk`.execute(db)
    await sql`ALTER TABLE processed_events ADD CONSTRAINT processed_events_pk PRIMARY KEY (event_id, agent_id)`.execute(
      db,
    )
    return
  }
  // SQLite cannot change a primary key in place: the table is rebuilt under its own name.
  await db.schema
    .createTable('processed_events_new')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('processed_events_pk', ['event_id', 'agent_id'])
    .execute()
  await sql`INSERT INTO processed_events_new (agent_id, event_id, received_at, outcome)
    SELECT agent_id, event_id, received_at, outcome FROM processed_events ORDER BY event_id`.execute(db)
  await db.schema.dropTable('processed_events').execute()
  await db.schema.alterTable('processed_events_new').renameTo('processed_events').execute()
  await db.schema
    .createIndex('processed_events_received')
    .on('processed_events')
    .column('received_at')
    .execute()
}
