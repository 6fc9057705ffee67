// The writer thread keeps list items and names between batches (domains/lists/list-cache.ts). What must
// hold: an item changed or deleted, or a name given, through another connection (the HTTP API's, an
// import) is read again, not taken from the cache; a batch that does not commit leaves nothing of its
// in-place changes behind.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createEventHandlers } from '../src/app/event-handlers.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { createHousehold } from '../src/domains/households/households.js'
import { applyBatch, type EventHandler, type IncomingEvent } from '../src/ingest/batch-apply.js'
import { type Db, openDatabase, openSqlite } from '../src/storage/db.js'
import { addProduct } from './support/catalogue.js'

const CODE = '3017620422003'
let ts = 1_000_000
let seq = 0

const event = (name = 'scan'): IncomingEvent => {
  ts += 60_000 // never within the debounce window
  const message = makeEnvelope({
    agent: 'kitchen',
    device: 's1',
    type: name,
    session: 's',
    seq: seq++,
    ts,
    data: { code: CODE },
  })
  return { agent: 'kitchen', device: 's1', name, message, receivedAt: ts, householdId: null, siteId: null }
}

interface Ctx {
  dir: string
  /** The HTTP API's connection. */
  api: Db
  /** The writer thread's connection, with its cache. */
  writer: Db
  handlers: Record<string, EventHandler>
}
const t = suite<Ctx>('list cache')

t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-list-cache-'))
  ctx.api = await openDatabase({ dataDir: ctx.dir })
  await createHousehold(ctx.api, { id: 'home', name: 'Home' })
  await addAgent(ctx.api, { id: 'kitchen', householdId: 'home' })
  ctx.writer = openSqlite({ dataDir: ctx.dir }).db
  ctx.handlers = createEventHandlers({ debounceMs: 3000, webhook: false, cacheItems: true })
})
t.after.each(async (ctx) => {
  await ctx.writer.destroy()
  await ctx.api.destroy()
  rmSync(ctx.dir, { recursive: true, force: true })
})

const scan = async ({ writer, handlers }: Ctx, batch = [event()]) => {
  const [r] = await applyBatch(writer, handlers, batch, Date.now())
  const item = r!.ack.item as { quantity: number } | undefined
  return [r!.ack.outcome, item?.quantity]
}

t('an item edited or deleted through another connection is read again', async (ctx) => {
  assert.equal(await scan(ctx), ['unknown_product', 1])
  assert.equal(await scan(ctx), ['unknown_product', 2])
  await ctx.api.updateTable('items').set({ quantity: 5 }).execute()
  assert.equal(await scan(ctx), ['unknown_product', 6], 'counted from the edited quantity')
  await ctx.api.deleteFrom('items').execute()
  assert.equal(await scan(ctx), ['unknown_product', 1], 'a new item, not the deleted one')
  const rows = await ctx.api.selectFrom('items').select('quantity').execute()
  assert.equal(
    rows.map((r) => Number(r.quantity)),
    [1],
  )
})

t('a name given through another connection is used for the next item made', async (ctx) => {
  assert.equal(await scan(ctx), ['unknown_product', 1])
  // The catalogue learns the code (an import), the item is taken off the list: made again, it is named.
  await addProduct(ctx.api, `0${CODE}`, 'Nutella')
  await ctx.api.deleteFrom('items').execute()
  assert.equal(await scan(ctx), ['added', 1])
  // The household's own name wins over the catalogue's.
  await ctx.api
    .insertInto('household_products')
    .values({ household_id: 'home', code: `0${CODE}`, name: 'Pâte à tartiner', named_at: 0 })
    .execute()
  await ctx.api.deleteFrom('items').execute()
  await scan(ctx)
  const [item] = await ctx.api.selectFrom('items').select('name').execute()
  assert.is(item!.name, 'Pâte à tartiner')
})

t('a batch that does not commit leaves none of its changes in the cache', async (ctx) => {
  assert.equal(await scan(ctx), ['unknown_product', 1])
  // The scan is applied (its item changed in place), then the batch fails in another domain.
  ctx.handlers.boom = {
    apply: async () => {
      throw new Error('disk I/O error')
    },
  }
  try {
    await scan(ctx, [event(), event('boom')])
    assert.unreachable('the batch should fail')
  } catch (err) {
    assert.match((err as Error).message, /disk I\/O error/)
  }
  assert.equal(await scan(ctx), ['unknown_product', 2], 'counted from what was committed')
})

t.run()
