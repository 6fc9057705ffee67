// BulkLookup (storage/bulk-lookup.ts): the statement for k keys is compiled once, and a batch's keys are
// padded up to the next size. What must hold: whatever the count, the rows are exactly those the keys
// match (none lost at a size's edge, none twice for a padded key), the query's own constants stay as
// compiled, and a builder that does not put every key in its parameters is refused.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { BulkLookup } from '../src/storage/bulk-lookup.js'
import type { Db } from '../src/storage/db.js'
import { openTestDatabase } from './support/database.js'

const t = suite<{ db: Db }>('bulk lookup')

const pairs = new BulkLookup(2, (db, keys: ReadonlyArray<readonly [string, string]>) =>
  db
    .selectFrom('processed_events')
    .select(['agent_id', 'event_id', 'outcome'])
    .where((eb) =>
      eb(
        eb.refTuple('event_id', 'agent_id'),
        'in',
        keys.map(([id, agent]) => eb.tuple(id, agent)),
      ),
    )
    // A constant of the query's own, before and after the keys' parameters.
    .where('outcome', '!=', 'hidden'),
)

const id = (i: number) => `event-${String(i).padStart(5, '0')}`
const agent = (i: number) => `agent-${i % 3}`

t.before(async (ctx) => {
  ctx.db = await openTestDatabase(':memory:')
  const rows = Array.from({ length: 1500 }, (_, i) => ({
    agent_id: agent(i),
    event_id: id(i),
    received_at: i,
    outcome: i % 7 === 0 ? 'hidden' : `o-${i}`,
  }))
  for (let i = 0; i < rows.length; i += 100)
    await ctx.db
      .insertInto('processed_events')
      .values(rows.slice(i, i + 100))
      .execute()
})
t.after(async (ctx) => ctx.db.destroy())

t('every count, at and around each size, finds exactly the rows its keys match', async ({ db }) => {
  for (const n of [0, 1, 2, 3, 5, 7, 12, 13, 95, 96, 97, 383, 385, 511, 512, 513, 1100]) {
    // Every third key misses (another agent's id); the rest hit, the hidden ones filtered out.
    const keys = Array.from({ length: n }, (_, i) => [id(i), i % 3 === 2 ? 'nobody' : agent(i)] as const)
    const got = (await pairs.run(db, keys)).map((r) => r.event_id).sort()
    const want = keys
      .map(([e], i) => ({ e, i }))
      .filter(({ i }) => i % 3 !== 2 && i % 7 !== 0)
      .map(({ e }) => e)
    assert.equal(got, want, `${n} keys`)
  }
})

t('a key listed twice finds its row once', async ({ db }) => {
  const got = await pairs.run(db, [
    [id(1), agent(1)],
    [id(1), agent(1)],
    [id(2), agent(2)],
  ])
  assert.equal(got.map((r) => r.event_id).sort(), [id(1), id(2)])
})

t('a builder that leaves keys out of its parameters is refused', async ({ db }) => {
  const firstOnly = new BulkLookup(1, (d, keys: ReadonlyArray<readonly [string]>) =>
    d.selectFrom('processed_events').select('event_id').where('event_id', '=', keys[0]![0]),
  )
  try {
    await firstOnly.run(db, [[id(1)], [id(2)]])
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.match((err as Error).message, /BulkLookup: 1 key parameters for 2 keys of 1 columns/)
  }
})

t.run()
