// BulkInsert (storage/bulk-insert.ts): the statement for k rows is compiled once and refilled, so what
// must hold is that every row lands with its own values whatever the count, that ON CONFLICT clauses
// still apply, and that a builder whose parameters are not just the rows' values is refused instead
// of being filled wrongly.
import { sql } from 'kysely'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { recordOutcomes } from '../src/ingest/batch-apply.js'
import { BulkInsert } from '../src/storage/bulk-insert.js'
import { openDatabase } from '../src/storage/db.js'
import type { ProcessedEventsTable } from '../src/storage/schema.js'

// The statement ingest records its outcomes with (the same class serves every batch insert).
const outcomes = recordOutcomes

const rows = (n: number, from = 0, outcome = 'first'): ProcessedEventsTable[] =>
  Array.from({ length: n }, (_, i) => ({
    agent_id: `agent-${(from + i) % 3}`,
    event_id: `event-${String(from + i).padStart(5, '0')}`,
    received_at: 1_000 + from + i,
    outcome: `${outcome}-${from + i}`,
  }))

test('every row of every count lands with its own values, across the chunk sizes', async () => {
  const db = await openDatabase({ dataDir: ':memory:' })
  try {
    let from = 0
    // 0, 1, the chunk sizes and counts that need every size and several of the largest.
    for (const n of [0, 1, 4, 5, 6, 24, 25, 26, 99, 100, 101, 137, 236, 512]) {
      await db.transaction().execute((trx) => outcomes.run(trx, rows(n, from)))
      from += n
    }
    const stored = await db.selectFrom('processed_events').selectAll().orderBy('event_id').execute()
    assert.equal(stored.length, from)
    assert.equal(
      stored.map((r) => ({ ...r, received_at: Number(r.received_at) })),
      rows(from).sort((a, b) => (a.event_id < b.event_id ? -1 : 1)),
    )
  } finally {
    await db.destroy()
  }
})

test('the conflict clause applies to the rows that meet one', async () => {
  const db = await openDatabase({ dataDir: ':memory:' })
  try {
    await outcomes.run(db, rows(30))
    await outcomes.run(db, rows(40, 10, 'second'))
    const stored = await db.selectFrom('processed_events').select(['event_id', 'outcome']).execute()
    assert.equal(stored.length, 50)
    const byId = new Map(stored.map((r) => [r.event_id, r.outcome]))
    assert.is(byId.get('event-00009'), 'first-9')
    assert.is(byId.get('event-00010'), 'second-10')
    assert.is(byId.get('event-00049'), 'second-49')
  } finally {
    await db.destroy()
  }
})

test('a builder with parameters of its own is refused before anything is written', async () => {
  const db = await openDatabase({ dataDir: ':memory:' })
  try {
    const wrong = new BulkInsert<ProcessedEventsTable>(
      ['agent_id', 'event_id', 'received_at', 'outcome'],
      (d, r) =>
        d
          .insertInto('processed_events')
          .values(r)
          .onConflict((oc) => oc.columns(['agent_id', 'event_id']).doUpdateSet({ outcome: 'replaced' })),
    )
    try {
      await wrong.run(db, rows(3))
      assert.unreachable('accepted a statement with a parameter beside the rows')
    } catch (err) {
      assert.match((err as Error).message, /BulkInsert: 5 parameters for 1 rows of 4 columns/)
    }
    const { n } = (await sql<{ n: number }>`select count(*) as n from processed_events`.execute(db)).rows[0]!
    assert.is(n, 0)
  } finally {
    await db.destroy()
  }
})

test.run()
