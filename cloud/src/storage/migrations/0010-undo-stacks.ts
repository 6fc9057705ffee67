import { type Kysely, sql } from 'kysely'
import { isPostgres } from '../dialect.js'

// Each device's undo history as a linked stack: `undo_stacks` holds the seq of its newest change not
// undone, and each change the seq of the one below it (`prev_seq`). It replaces the index on
// (agent_id, device_id, seq), which every scan wrote into at its own device's place inside the index:
// with ten devices scanning, a third of the pages each SQLite commit wrote (npm run bench:apply). Changes
// are now only appended in seq order; on SQLite seq becomes the rowid (INTEGER PRIMARY KEY), so a change
// is one B-tree insert, where it was three.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The change below each one not undone: the device's newest earlier change not undone.
  const below = sql`(SELECT max(p.seq) FROM item_changes p
    WHERE p.agent_id = c.agent_id AND p.device_id = c.device_id AND p.seq < c.seq AND p.undone_at IS NULL)`
  if (isPostgres(db)) {
    await db.schema.alterTable('item_changes').addColumn('prev_seq', 'bigint').execute()
    await sql`UPDATE item_changes c SET prev_seq = ${below} WHERE c.undone_at IS NULL`.execute(db)
  } else {
    await db.schema
      .createTable('item_changes_new')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('before', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('undone_at', 'bigint')
      .addColumn('prev_seq', 'integer')
      .execute()
    await sql`INSERT INTO item_changes_new
      SELECT seq, agent_id, device_id, event_id, item_id, before, created_at, undone_at,
        CASE WHEN undone_at IS NULL THEN ${below} END
      FROM item_changes c ORDER BY seq`.execute(db)
  }
  await db.schema
    .createTable('undo_stacks')
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('top_seq', 'bigint')
    .addPrimaryKeyConstraint('undo_stacks_pk', ['agent_id', 'device_id'])
    .execute()
  await sql`INSERT INTO undo_stacks (agent_id, device_id, top_seq)
    SELECT agent_id, device_id, max(seq) FROM item_changes WHERE undone_at IS NULL
    GROUP BY agent_id, device_id`.execute(db)
  if (isPostgres(db)) await db.schema.dropIndex('item_changes_device').execute()
  else {
    await db.schema.dropTable('item_changes').execute()
    await db.schema.alterTable('item_changes_new').renameTo('item_changes').execute()
  }
}
