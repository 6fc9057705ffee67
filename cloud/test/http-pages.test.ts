// The household page's shell and assets: open without a token (they hold no data), typed, cached by
// content hash, revalidated by ETag, and locked to the page's own origin by CSP.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture }>('http: household page', {} as { f: HttpFixture })
t.before(async (ctx) => {
  ctx.f = await httpFixture()
})
t.after(async (ctx) => {
  await ctx.f.close()
})

const assetUrls = (html: string) => [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]!)

t('serves the shell without a token, with CSP, no-cache and an ETag', async ({ f }) => {
  const res = await f.app.inject({ method: 'GET', url: '/h/home' })
  assert.is(res.statusCode, 200)
  assert.is(res.headers['content-type'], 'text/html; charset=utf-8')
  assert.match(String(res.headers['content-security-policy']), "default-src 'self'")
  assert.match(String(res.headers['content-security-policy']), "frame-ancestors 'none'")
  assert.is(res.headers['cache-control'], 'no-cache')
  assert.is(res.headers['referrer-policy'], 'no-referrer')
  assert.is(res.headers['x-content-type-options'], 'nosniff')
  assert.ok(res.headers.etag)
  assert.not.match(res.body, '{{', 'every asset placeholder is filled in')
  assert.not.match(res.body, /https?:\/\//, 'nothing is loaded from elsewhere')
  const again = await f.app.inject({
    method: 'GET',
    url: '/h/home',
    headers: { 'if-none-match': String(res.headers.etag) },
  })
  assert.is(again.statusCode, 304)
  assert.is(again.body, '')
})

t(
  'answers an unknown household with the same shell (no probing which exist), a bad id with 400',
  async ({ f }) => {
    const known = await f.app.inject({ method: 'GET', url: '/h/home' })
    const unknown = await f.app.inject({ method: 'GET', url: '/h/nobody-here' })
    assert.is(unknown.statusCode, 200)
    assert.is(unknown.body, known.body)
    const bad = await f.app.inject({ method: 'GET', url: '/h/Not_An_Id' })
    assert.is(bad.statusCode, 400)
  },
)

t('serves each asset by its content hash, typed and immutable', async ({ f }) => {
  const html = (await f.app.inject({ method: 'GET', url: '/h/home' })).body
  const urls = assetUrls(html)
  const types: Record<string, string> = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    svg: 'image/svg+xml',
  }
  assert.equal([...new Set(urls.map((u) => u.split('.').pop()))].sort(), ['css', 'js', 'svg'])
  for (const url of urls) {
    assert.match(url, /^\/static\/[a-z]+\.[A-Za-z0-9_-]{10}\.(js|css|svg)$/)
    const res = await f.app.inject({ method: 'GET', url })
    assert.is(res.statusCode, 200, url)
    assert.is(res.headers['content-type'], types[url.split('.').pop()!])
    assert.is(res.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.ok(res.body.length > 100)
  }
  const stale = await f.app.inject({ method: 'GET', url: '/static/household.0000000000.js' })
  assert.is(stale.statusCode, 404)
})

t.run()
