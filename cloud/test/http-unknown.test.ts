import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture }>('http: unknown-products inbox', {} as { f: HttpFixture })
t.before.each(async (ctx) => {
  ctx.f = await httpFixture()
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

const inbox = async (f: HttpFixture, household = 'home') =>
  (await f.app.inject({ url: `/api/households/${household}/unknown`, headers: f.auth(f.tokens.ops) })).json()
const list = async (f: HttpFixture, household = 'home') =>
  (await f.app.inject({ url: `/api/households/${household}/list`, headers: f.auth(f.tokens.ops) })).json()
    .items
const name = (f: HttpFixture, key: string, body: unknown, token = f.tokens.home) =>
  f.app.inject({
    method: 'PUT',
    url: `/api/households/home/unknown/${encodeURIComponent(key)}`,
    headers: f.auth(token),
    payload: body as object,
  })

t(
  'an unknown code becomes an item flagged unknown, with its code shown, and enters the inbox',
  async ({ f }) => {
    await f.product('03017620422003', 'Nutella')
    await f.scan('home', '3017620422003')
    const first = await f.scan('home', '4006381333931')
    await f.scan('home', '4006381333931')
    const items = await list(f)
    const unknown = items.find((i: { key: string }) => i.key === '04006381333931')
    assert.equal(
      [unknown.code, unknown.name, unknown.unknown, unknown.quantity],
      ['4006381333931', null, true, 2],
    )
    const res = await f.app.inject({ url: '/api/households/home/unknown', headers: f.auth(f.tokens.home) })
    assert.is(res.statusCode, 200)
    const body = res.json()
    assert.equal(Object.keys(body), ['products'])
    assert.is(body.products.length, 1)
    const p = body.products[0]
    assert.equal(Object.keys(p).sort(), ['code', 'firstSeen', 'items', 'key', 'lastSeen', 'scans'])
    assert.equal([p.code, p.key, p.scans, p.items], ['4006381333931', '04006381333931', 2, 1])
    assert.ok(p.lastSeen > p.firstSeen)
    assert.is(p.firstSeen, unknown.firstScanAt)
    assert.is(unknown.id, first.ack.item!.id)
    assert.not.ok(res.body.includes('household_id'))
    assert.equal((await inbox(f, 'other')).products, [])
  },
)

t('naming a product renames it on the list, empties the inbox entry and announces it', async ({ f }) => {
  const item = (await f.scan('home', '4006381333931')).ack.item!.id
  await f.scan('other', '4006381333931')
  f.changes.length = 0
  const res = await name(f, '04006381333931', { name: '  Zwieback  ' })
  assert.is(res.statusCode, 200)
  assert.equal(res.json(), { key: '04006381333931', name: 'Zwieback', renamed: 1 })
  const renamed = (await list(f)).find((i: { id: string }) => i.id === item)
  assert.equal([renamed.name, renamed.unknown, renamed.code], ['Zwieback', false, '4006381333931'])
  assert.equal((await inbox(f)).products, [])
  assert.equal(f.changes, [{ householdId: 'home', itemId: item, reason: 'rename' }])
  // The other household scanned the same code; its list and inbox are its own.
  assert.is((await list(f, 'other'))[0].unknown, true)
  assert.is((await inbox(f, 'other')).products.length, 1)
  // The household's name sticks: the next scan of that code is named and stays out of the inbox.
  await f.db.deleteFrom('items').execute()
  const again = await f.scan('home', '4006381333931')
  assert.is(again.ack.outcome, 'added')
  assert.is(again.ack.item!.name, 'Zwieback')
  assert.equal((await inbox(f)).products, [])
})

t('a plain code with URL-special characters is named by its encoded key', async ({ f }) => {
  await f.scan('home', 'A%B?1')
  await f.scan('home', 'ABC/1')
  const keys = (await inbox(f)).products.map((p: { key: string }) => p.key).sort()
  assert.equal(keys, ['A%B?1', 'ABC/1'])
  for (const key of keys) {
    const res = await name(f, key, { name: `named ${key}` })
    assert.is(res.statusCode, 200, key)
    assert.equal(res.json(), { key, name: `named ${key}`, renamed: 1 })
  }
  assert.equal((await list(f)).map((i: { name: string }) => i.name).sort(), ['named A%B?1', 'named ABC/1'])
})

t('a product can be named after its item was deleted, and renamed later', async ({ f }) => {
  const item = (await f.scan('home', 'LOOSE-APPLES')).ack.item!.id
  await f.app.inject({
    method: 'DELETE',
    url: `/api/households/home/items/${item}`,
    headers: f.auth(f.tokens.home),
  })
  f.changes.length = 0
  const res = await name(f, 'LOOSE-APPLES', { name: 'Apples' })
  assert.equal(res.json(), { key: 'LOOSE-APPLES', name: 'Apples', renamed: 0 })
  assert.equal(f.changes, [{ householdId: 'home', reason: 'rename' }])
  assert.equal((await inbox(f)).products, [])
  const again = await name(f, 'LOOSE-APPLES', { name: 'Green apples' })
  assert.is(again.statusCode, 200)
  const row = await f.db.selectFrom('household_products').selectAll().executeTakeFirstOrThrow()
  assert.equal([row.household_id, row.code, row.name], ['home', 'LOOSE-APPLES', 'Green apples'])
})

t('naming a code the household never scanned is 404 and stores nothing', async ({ f }) => {
  await f.scan('other', 'LOOSE-APPLES')
  for (const key of ['NEVER-SEEN', 'LOOSE-APPLES']) {
    const res = await name(f, key, { name: 'x' })
    assert.is(res.statusCode, 404, key)
    assert.is(res.json().error, 'not_found')
  }
  assert.equal(await f.db.selectFrom('household_products').selectAll().execute(), [])
})

t('a bad name is 400 naming the field, and changes nothing', async ({ f }) => {
  await f.scan('home', 'LOOSE-APPLES')
  const cases: Array<[unknown, string]> = [
    [{ name: '' }, 'body.name'],
    [{ name: '   ' }, 'body.name'],
    [{ name: 'x'.repeat(201) }, 'body.name'],
    [{ name: 42 }, 'body.name'],
    [{}, 'body.name'],
    [{ name: 'ok', brand: 'x' }, 'body.brand'],
  ]
  for (const [body, field] of cases) {
    const res = await name(f, 'LOOSE-APPLES', body)
    assert.is(res.statusCode, 400, JSON.stringify(body))
    assert.is(res.json().error, 'invalid_request')
    assert.is(res.json().field, field)
  }
  assert.is((await inbox(f)).products.length, 1)
  const ok = await name(f, 'LOOSE-APPLES', { name: 'x'.repeat(200) })
  assert.is(ok.statusCode, 200)
})

t.run()
