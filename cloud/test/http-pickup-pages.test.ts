// The courier's and the customer's page shells: open without a token (they hold no data), the same CSP
// and headers as the household page, one shell for every courier or site, every asset they name served
// by its content hash, and shared modules (live.js, pickup-text.js) one URL for both pages.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture }>('http: courier and site page shells', {} as { f: HttpFixture })
t.before(async (ctx) => {
  ctx.f = await httpFixture()
})
t.after(async (ctx) => {
  await ctx.f.close()
})

const assetUrls = (html: string) => [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]!)

for (const [path, other, script] of [
  ['/c/camille', '/c/nobody', 'courier'],
  ['/s/rue-amelot-64', '/s/nowhere', 'site'],
] as const) {
  t(
    `${path}: the shell, no data, locked down; unknown ids get the same shell; bad ids 400`,
    async ({ f }) => {
      const res = await f.app.inject({ method: 'GET', url: path })
      assert.is(res.statusCode, 200)
      assert.is(res.headers['content-type'], 'text/html; charset=utf-8')
      const csp = String(res.headers['content-security-policy'])
      for (const d of [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ])
        assert.match(csp, d)
      assert.not.match(csp, 'unsafe-inline')
      assert.is(res.headers['referrer-policy'], 'no-referrer')
      assert.is(res.headers['x-frame-options'], 'DENY')
      assert.is(res.headers['cache-control'], 'no-cache')
      assert.not.match(res.body, '{{')
      assert.not.match(res.body, /https?:\/\//, 'nothing is loaded from elsewhere')
      assert.not.match(res.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
      assert.not.match(res.body, /\sstyle=/, 'no inline style')
      assert.match(res.body, new RegExp(`src="/static/${script}\\.[A-Za-z0-9_-]{10}\\.js"`))
      assert.is((await f.app.inject({ method: 'GET', url: other })).body, res.body)
      assert.is((await f.app.inject({ method: 'GET', url: `${path.slice(0, 3)}Bad_Id` })).statusCode, 400)
      for (const url of assetUrls(res.body)) {
        const a = await f.app.inject({ method: 'GET', url })
        assert.is(a.statusCode, 200, url)
        assert.is(a.headers['cache-control'], 'public, max-age=31536000, immutable')
      }
    },
  )
}

t('the two pages share their common modules by one hashed URL', async ({ f }) => {
  const courier = assetUrls((await f.app.inject({ method: 'GET', url: '/c/camille' })).body)
  const site = assetUrls((await f.app.inject({ method: 'GET', url: '/s/rue-amelot-64' })).body)
  const shared = courier.filter((u) => site.includes(u))
  for (const name of ['live', 'pickup-text', 'pickups', 'icon'])
    assert.ok(
      shared.some((u) => u.startsWith(`/static/${name}.`)),
      `${name} shared`,
    )
  assert.ok(courier.some((u) => u.startsWith('/static/round-map.')))
  assert.not.ok(
    site.some((u) => u.startsWith('/static/round-map.')),
    'the site page needs no map',
  )
  // The household page still serves, beside them.
  assert.is((await f.app.inject({ method: 'GET', url: '/h/home' })).statusCode, 200)
})

t.run()
