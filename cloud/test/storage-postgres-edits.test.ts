// On PostgreSQL an HTTP edit of an item runs beside ingest at READ COMMITTED (only ingest batches take
// writeTx's lock). A batch must build on the edit, not overwrite it with what it read before: the edit
// here holds its row lock while the batch starts, and commits only once the batch is waiting.
import { makeEnvelope } from '@relais/hardware'
import pg from 'pg'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  findPostgres,
  type Postgres,
  postgresInstallHint,
  startPostgres,
} from '../../scripts/testkit/postgres.js'
import { serviceAvailable, waitFor } from '../../scripts/testkit/services.js'
import { createEventHandlers } from '../src/app/event-handlers.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { createHousehold } from '../src/domains/households/households.js'
import { InlineApplier } from '../src/ingest/appliers.js'
import type { IncomingEvent } from '../src/ingest/batch-apply.js'
import { openDatabase } from '../src/storage/db.js'

const CODE = '3017620422003'
const available = serviceAvailable('postgresql', findPostgres(), postgresInstallHint)
const t = suite<{ server: Postgres }>('item edits beside ingest on PostgreSQL')
const test = available ? t : t.skip

t.before(async (ctx) => {
  if (available) ctx.server = await startPostgres()
})
t.after(async (ctx) => ctx.server?.stop())

const scan = (seq: number): IncomingEvent => {
  const message = makeEnvelope({
    agent: 'kitchen',
    device: 'scanner-1',
    type: 'scan',
    session: 's',
    seq,
    data: { code: CODE },
  })
  return {
    agent: 'kitchen',
    device: 'scanner-1',
    name: 'scan',
    message,
    receivedAt: 0,
    householdId: null,
    siteId: null,
  }
}

test('a scan applied while a quantity edit is uncommitted counts from the edited quantity', async ({
  server,
}) => {
  const url = await server.createDatabase()
  const db = await openDatabase({ dataDir: ':memory:', url })
  const edit = new pg.Client({ connectionString: url })
  try {
    await createHousehold(db, { id: 'home', name: 'Home' })
    await addAgent(db, { id: 'kitchen', householdId: 'home' })
    const applier = new InlineApplier(db, createEventHandlers({ debounceMs: 0, webhook: false }))
    await applier.apply([scan(0)], Date.now())
    const item = await db.selectFrom('items').select(['id', 'quantity']).executeTakeFirstOrThrow()
    assert.is(item.quantity, 1)

    await edit.connect()
    await edit.query('begin')
    await edit.query('update items set quantity = 5 where id = $1', [item.id])
    const applied = applier.apply([scan(1)], Date.now())
    // The batch is blocked on the edit's row lock (reading or writing the item) before the edit commits.
    await waitFor('the batch to wait for the edit', async () => {
      const r = await edit.query(
        `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
      )
      return r.rows[0].n > 0
    })
    await edit.query('commit')
    await applied
    const after = await db.selectFrom('items').select('quantity').executeTakeFirstOrThrow()
    assert.is(after.quantity, 6)
  } finally {
    await edit.end()
    await db.destroy()
  }
})

t.run()
