import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture }>('http: shopping list', {} as { f: HttpFixture })
t.before.each(async (ctx) => {
  ctx.f = await httpFixture()
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

const ITEM_KEYS = [
  'addedBy',
  'checked',
  'code',
  'firstScanAt',
  'id',
  'key',
  'lastScanAt',
  'name',
  'quantity',
  'unknown',
  'updatedAt',
]

async function seed(f: HttpFixture) {
  await f.product('04006381333931', 'Zwieback')
  await f.product('03017620422003', 'Nutella')
  const zw = await f.scan('home', '4006381333931')
  const nu = await f.scan('home', '3017620422003')
  const loose = await f.scan('home', 'LOOSE-APPLES')
  return { zw: zw.ack.item!.id, nu: nu.ack.item!.id, loose: loose.ack.item!.id }
}

t(
  'GET list returns the default list, unchecked first, then by name, with exactly the item fields',
  async ({ f }) => {
    const ids = await seed(f)
    await f.app.inject({
      method: 'PATCH',
      url: `/api/households/home/items/${ids.nu}`,
      headers: f.auth(f.tokens.home),
      payload: { checked: true },
    })
    const res = await f.app.inject({ url: '/api/households/home/list', headers: f.auth(f.tokens.home) })
    assert.is(res.statusCode, 200)
    assert.match(String(res.headers['content-type']), 'application/json')
    const body = res.json()
    assert.equal(body.household, { id: 'home', name: 'Home' })
    assert.equal(Object.keys(body).sort(), ['household', 'items', 'list'])
    assert.equal(Object.keys(body.list).sort(), ['id', 'name'])
    assert.equal(
      body.items.map((i: { code: string; checked: boolean }) => [i.code, i.checked]),
      [
        ['LOOSE-APPLES', false], // unnamed: sorted by its code
        ['4006381333931', false],
        ['3017620422003', true],
      ],
    )
    for (const item of body.items) assert.equal(Object.keys(item).sort(), ITEM_KEYS)
    const zw = body.items[1]
    assert.equal(
      { ...zw, firstScanAt: typeof zw.firstScanAt, updatedAt: typeof zw.updatedAt },
      {
        id: ids.zw,
        code: '4006381333931',
        key: '04006381333931',
        name: 'Zwieback',
        quantity: 1,
        checked: false,
        unknown: false,
        addedBy: 'pi-1/scanner-1',
        firstScanAt: 'number',
        lastScanAt: zw.lastScanAt,
        updatedAt: 'number',
      },
    )
    assert.equal(body.items[0].unknown, true)
    assert.is(body.items[0].name, null)
    // No column beyond the schema: not the list id, not the scanning agent, not a token hash.
    for (const word of ['list_id', 'last_scan_agent', 'token_hash', 'display_code', 'rh_']) {
      assert.not.ok(res.body.includes(word), word)
    }
  },
)

t('GET list of another household holds only its own items', async ({ f }) => {
  await seed(f)
  await f.scan('other', '5449000000996')
  const res = await f.app.inject({ url: '/api/households/other/list', headers: f.auth(f.tokens.other) })
  assert.equal(
    res.json().items.map((i: { code: string }) => i.code),
    ['5449000000996'],
  )
})

t('PATCH checks, unchecks and sets the quantity, and announces each edit', async ({ f }) => {
  const { zw } = await seed(f)
  f.changes.length = 0
  const url = `/api/households/home/items/${zw}`
  const h = f.auth(f.tokens.home)
  let res = await f.app.inject({ method: 'PATCH', url, headers: h, payload: { checked: true } })
  assert.is(res.statusCode, 200)
  assert.is(res.json().checked, true)
  assert.equal(Object.keys(res.json()).sort(), ITEM_KEYS)
  res = await f.app.inject({ method: 'PATCH', url, headers: h, payload: { quantity: 5, checked: false } })
  assert.equal([res.json().quantity, res.json().checked], [5, false])
  res = await f.app.inject({ method: 'PATCH', url, headers: h, payload: { quantity: 999 } })
  assert.is(res.json().quantity, 999)
  assert.equal(f.changes, [
    { householdId: 'home', itemId: zw, reason: 'edit' },
    { householdId: 'home', itemId: zw, reason: 'edit' },
    { householdId: 'home', itemId: zw, reason: 'edit' },
  ])
})

t(
  'PATCH of an item that does not exist, or is another household’s, is 404 and changes nothing',
  async ({ f }) => {
    await seed(f)
    const theirs = (await f.scan('other', '5449000000996')).ack.item!.id
    f.changes.length = 0
    for (const id of ['nope', theirs]) {
      const res = await f.app.inject({
        method: 'PATCH',
        url: `/api/households/home/items/${id}`,
        headers: f.auth(f.tokens.home),
        payload: { checked: true },
      })
      assert.is(res.statusCode, 404)
      assert.equal(res.json(), { error: 'not_found', message: `item '${id}' not found` })
    }
    const row = await f.db
      .selectFrom('items')
      .select('checked')
      .where('id', '=', theirs)
      .executeTakeFirstOrThrow()
    assert.is(row.checked, 0)
    assert.equal(f.changes, [])
  },
)

t('PATCH with a bad body is 400 naming the field', async ({ f }) => {
  const { zw } = await seed(f)
  const url = `/api/households/home/items/${zw}`
  const h = f.auth(f.tokens.home)
  const cases: Array<[unknown, string]> = [
    [{ quantity: 0 }, 'body.quantity'],
    [{ quantity: 1000 }, 'body.quantity'],
    [{ quantity: 'x' }, 'body.quantity'],
    [{ quantity: '3' }, 'body.quantity'], // no coercion: a string is not a number
    [{ quantity: 1.5 }, 'body.quantity'],
    [{ checked: 'yes' }, 'body.checked'],
    [{}, 'body'],
    [{ checked: true, colour: 'red' }, 'body.colour'],
  ]
  for (const [payload, field] of cases) {
    const res = await f.app.inject({ method: 'PATCH', url, headers: h, payload: payload as object })
    assert.is(res.statusCode, 400, JSON.stringify(payload))
    const body = res.json()
    assert.is(body.error, 'invalid_request')
    assert.is(body.field, field, JSON.stringify(payload))
    assert.ok(body.message.startsWith(field), body.message)
  }
  const empty = await f.app.inject({ method: 'PATCH', url, headers: h })
  assert.is(empty.statusCode, 400)
  assert.is(empty.json().error, 'invalid_request')
  const badJson = await f.app.inject({
    method: 'PATCH',
    url,
    headers: { ...h, 'content-type': 'application/json' },
    payload: '{"checked":',
  })
  assert.is(badJson.statusCode, 400)
  assert.is(badJson.json().error, 'invalid_request')
  const list = await f.app.inject({ url: '/api/households/home/list', headers: h })
  const item = list.json().items.find((i: { id: string }) => i.id === zw)
  assert.equal([item.quantity, item.checked], [1, false])
})

t('DELETE removes the item (204), then it is 404; the event says delete', async ({ f }) => {
  const { nu } = await seed(f)
  f.changes.length = 0
  const url = `/api/households/home/items/${nu}`
  const res = await f.app.inject({ method: 'DELETE', url, headers: f.auth(f.tokens.home) })
  assert.is(res.statusCode, 204)
  assert.is(res.body, '')
  const list = await f.app.inject({ url: '/api/households/home/list', headers: f.auth(f.tokens.home) })
  assert.not.ok(list.json().items.some((i: { id: string }) => i.id === nu))
  const again = await f.app.inject({ method: 'DELETE', url, headers: f.auth(f.tokens.home) })
  assert.is(again.statusCode, 404)
  assert.equal(f.changes, [{ householdId: 'home', itemId: nu, reason: 'delete' }])
})

t(
  'a bad household id in the path is 400; a household that does not exist is 404 (ops token)',
  async ({ f }) => {
    const bad = await f.app.inject({ url: '/api/households/Not_An_Id/list', headers: f.auth(f.tokens.ops) })
    assert.is(bad.statusCode, 400)
    assert.equal(bad.json().field, 'params.household')
    const missing = await f.app.inject({ url: '/api/households/nobody/list', headers: f.auth(f.tokens.ops) })
    assert.is(missing.statusCode, 404)
    assert.equal(missing.json(), { error: 'not_found', message: "household 'nobody' not found" })
  },
)

t.run()
