import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture; item: string }>(
  'http: bearer tokens',
  {} as { f: HttpFixture; item: string },
)
t.before.each(async (ctx) => {
  ctx.f = await httpFixture()
  ctx.item = (await ctx.f.scan('home', 'LOOSE-APPLES')).ack.item!.id
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

type Req = { method: 'GET' | 'PATCH' | 'DELETE' | 'PUT'; url: string; payload?: object }
const routes = (item: string): Req[] => [
  { method: 'GET', url: '/api/households/home/list' },
  { method: 'PATCH', url: `/api/households/home/items/${item}`, payload: { checked: true } },
  { method: 'DELETE', url: `/api/households/home/items/${item}` },
  { method: 'GET', url: '/api/households/home/unknown' },
  { method: 'PUT', url: '/api/households/home/unknown/LOOSE-APPLES', payload: { name: 'Apples' } },
  { method: 'GET', url: '/api/households/home/events' },
]

t(
  'every /api route is 401 without a token, with a bad one, a malformed header or a revoked one',
  async ({ f, item }) => {
    await f.db.updateTable('api_tokens').set({ revoked_at: 1 }).where('scope', '=', 'courier').execute()
    const headers: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer rh_not-a-real-token' },
      { authorization: `Basic ${f.tokens.home}` },
      { authorization: `Bearer ${f.tokens.home} extra` },
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${f.tokens.courier}` },
    ]
    for (const r of routes(item)) {
      for (const h of headers) {
        const res = await f.app.inject({ ...r, headers: h })
        assert.is(res.statusCode, 401, `${r.method} ${r.url} ${JSON.stringify(h)}`)
        assert.is(res.json().error, 'unauthorized')
        assert.type(res.json().message, 'string')
        assert.is(res.headers['www-authenticate'], 'Bearer realm="relais"')
      }
    }
    const list = await f.db.selectFrom('items').select(['checked']).execute()
    assert.equal(list, [{ checked: 0 }])
  },
)

t('a token is checked before the body: no token and a bad body is still 401', async ({ f, item }) => {
  const res = await f.app.inject({
    method: 'PATCH',
    url: `/api/households/home/items/${item}`,
    payload: { quantity: 'x' },
  })
  assert.is(res.statusCode, 401)
})

t('another household’s token and a courier token are 403 on every household route', async ({ f, item }) => {
  for (const token of [f.tokens.other, f.tokens.courier]) {
    for (const r of routes(item)) {
      const res = await f.app.inject({ ...r, headers: f.auth(token) })
      assert.is(res.statusCode, 403, `${r.method} ${r.url}`)
      assert.equal(res.json(), { error: 'forbidden', message: "this token may not reach household 'home'" })
    }
  }
  const row = await f.db.selectFrom('items').select(['checked']).executeTakeFirstOrThrow()
  assert.is(row.checked, 0)
})

t('an ops token reaches any household', async ({ f, item }) => {
  const h = f.auth(f.tokens.ops)
  const list = await f.app.inject({ url: '/api/households/home/list', headers: h })
  assert.is(list.statusCode, 200)
  const other = await f.app.inject({ url: '/api/households/other/list', headers: h })
  assert.is(other.statusCode, 200)
  const patch = await f.app.inject({
    method: 'PATCH',
    url: `/api/households/home/items/${item}`,
    headers: h,
    payload: { quantity: 2 },
  })
  assert.is(patch.json().quantity, 2)
  const inbox = await f.app.inject({ url: '/api/households/home/unknown', headers: h })
  assert.is(inbox.json().products.length, 1)
  const named = await f.app.inject({
    method: 'PUT',
    url: '/api/households/home/unknown/LOOSE-APPLES',
    headers: h,
    payload: { name: 'Apples' },
  })
  assert.is(named.statusCode, 200)
  const del = await f.app.inject({ method: 'DELETE', url: `/api/households/home/items/${item}`, headers: h })
  assert.is(del.statusCode, 204)
})

t('a household token works on its own routes, and the token scheme is case-insensitive', async ({ f }) => {
  const res = await f.app.inject({
    url: '/api/households/home/list',
    headers: { authorization: `bearer ${f.tokens.home}` },
  })
  assert.is(res.statusCode, 200)
})

t('an unknown route is a JSON 404 and every response carries a request id', async ({ f }) => {
  const res = await f.app.inject({ url: '/api/nothing-here', headers: f.auth(f.tokens.ops) })
  assert.is(res.statusCode, 404)
  assert.is(res.json().error, 'not_found')
  const open = await f.app.inject({ url: '/nothing' })
  assert.is(open.statusCode, 404)
  assert.equal(Object.keys(open.json()).sort(), ['error', 'message'])
  assert.match(String(open.headers['x-request-id']), /^[0-9a-f-]{36}$/)
})

t.run()
