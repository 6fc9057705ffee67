import { existsSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ERROR_TTL_MS,
  NOT_FOUND_TTL_MS,
  ProductLookup,
  type ProductLookupOptions,
} from '../src/catalogue/index.js'
import { silentLogger } from '../src/lib/logger.js'
import type { Db } from '../src/storage/db.js'
import { openTestDatabase } from './support/database.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'off-api')
const FAILS = '5000000000005' // answered with HTTP 500
const HANGS = '4000000000006' // headers never come

/** A stand-in for world.openfoodfacts.org that replays the recorded responses. */
interface Replay {
  server: Server
  baseUrl: string
  requests: Array<{ url: string; userAgent: string | undefined }>
}

async function replayServer(): Promise<Replay> {
  const requests: Replay['requests'] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push({ url: req.url ?? '', userAgent: req.headers['user-agent'] })
    const code = /^\/api\/v2\/product\/(\d+)\.json/.exec(req.url ?? '')?.[1] ?? ''
    if (code === HANGS) return // never answers; the client's timeout must end it
    if (code === FAILS) {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>')
      return
    }
    const file = join(FIXTURES, `${code}.json`)
    const body = existsSync(file)
      ? readFileSync(file, 'utf8')
      : JSON.stringify({ code, status: 0, status_verbose: 'product not found' })
    const found = (JSON.parse(body) as { status: number }).status === 1
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json; charset=utf-8' }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, baseUrl: `http://127.0.0.1:${port}`, requests }
}

let off: Replay
let db: Db
let clock = Date.now()
const lookup = (o: Partial<ProductLookupOptions> = {}) =>
  new ProductLookup({
    db,
    enabled: true,
    baseUrl: off.baseUrl,
    timeoutMs: 5000, // generous: a loaded CI machine can take long for the first request; the timeout test sets its own
    log: silentLogger(),
    now: () => clock,
    ...o,
  })
const cached = (code: string) =>
  db.selectFrom('catalogue_lookups').selectAll().where('code', '=', code).executeTakeFirst()
const stored = (code: string) =>
  db.selectFrom('products').selectAll().where('code', '=', code).executeTakeFirst()

const t = suite('catalogue online lookup')
t.before(async () => {
  off = await replayServer()
})
t.before.each(async () => {
  db = await openTestDatabase(':memory:')
  off.requests.length = 0
  clock = Date.now()
})
t.after.each(async () => {
  await db.destroy()
})
t.after(async () => {
  off.server.closeAllConnections()
  await new Promise((resolve) => off.server.close(resolve))
})

t('a found product is stored with source off-api; the second call is served from the database', async () => {
  const l = lookup()
  const p = await l.lookup('03017620422003')
  assert.is(p?.name, 'Nutella')
  assert.is(p?.brands, 'Nutella, Ferrero')
  assert.is(p?.quantity, '400 g')
  assert.is(p?.lang, 'fr')
  assert.is(p?.source, 'off-api')
  assert.ok(p?.imageUrl?.endsWith('front_en.633.400.jpg'))
  assert.is(off.requests.length, 1)
  const [req] = off.requests
  assert.ok(req!.url.startsWith('/api/v2/product/3017620422003.json?fields=code,product_name,'), req!.url)
  assert.match(req!.userAgent ?? '', /^Relais\/0\.1 \(ops@[^)]+\)$/)
  assert.equal(
    [(await stored('03017620422003'))?.source, (await cached('03017620422003'))?.status],
    ['off-api', 'found'],
  )

  assert.is((await l.lookup('03017620422003'))?.name, 'Nutella')
  assert.is((await lookup().lookup('03017620422003'))?.name, 'Nutella')
  assert.is(off.requests.length, 1)
})

t('not found is cached: no second request for 7 days, then one', async () => {
  const l = lookup()
  assert.is(await l.lookup('04006381333931'), undefined)
  assert.is((await cached('04006381333931'))?.status, 'not_found')
  assert.is(await stored('04006381333931'), undefined)
  clock += NOT_FOUND_TTL_MS - 1000
  assert.is(await l.lookup('04006381333931'), undefined)
  assert.is(off.requests.length, 1)
  clock += 2000
  assert.is(await l.lookup('04006381333931'), undefined)
  assert.is(off.requests.length, 2)
})

t('a found product without any name counts as not found and is not stored', async () => {
  assert.is(await lookup().lookup('07612345678900'), undefined)
  const c = await cached('07612345678900')
  assert.equal([c?.status, c?.payload], ['not_found', 'no_name'])
  assert.is(await stored('07612345678900'), undefined)
})

t('concurrent lookups of one code share one request', async () => {
  const l = lookup()
  const all = await Promise.all([1, 2, 3, 4].map(() => l.lookup('03017620422003')))
  assert.ok(all.every((p) => p?.name === 'Nutella'))
  assert.is(off.requests.length, 1)
})

t('HTTP 500 gives undefined, is retried only after a few minutes, and the service stays fine', async () => {
  const l = lookup()
  assert.is(await l.lookup(`0${FAILS}`), undefined)
  assert.equal(
    [(await cached(`0${FAILS}`))?.status, (await cached(`0${FAILS}`))?.payload],
    ['error', 'HTTP 500'],
  )
  assert.is(await l.lookup(`0${FAILS}`), undefined)
  assert.is(off.requests.length, 1)
  clock += ERROR_TTL_MS + 1
  assert.is(await l.lookup(`0${FAILS}`), undefined)
  assert.is(off.requests.length, 2)
  assert.is((await l.lookup('03017620422003'))?.name, 'Nutella')
})

t('a hanging response times out: undefined, cached as an error, the service stays fine', async () => {
  const l = lookup({ timeoutMs: 200 })
  const started = Date.now()
  assert.is(await l.lookup(`0${HANGS}`), undefined)
  assert.ok(Date.now() - started < 2000)
  assert.equal(
    [(await cached(`0${HANGS}`))?.status, (await cached(`0${HANGS}`))?.payload],
    ['error', 'timeout'],
  )
  assert.is((await l.lookup('03017620422003'))?.name, 'Nutella')
})

t('switched off: no request at all, but catalogue products are still found', async () => {
  const on = lookup()
  await on.lookup('03017620422003')
  off.requests.length = 0
  const l = lookup({ enabled: false })
  assert.is((await l.lookup('03017620422003'))?.name, 'Nutella')
  assert.is(await l.lookup('04006381333931'), undefined)
  assert.is(await l.lookup(`0${FAILS}`), undefined)
  assert.is(off.requests.length, 0)
  assert.is(await cached('04006381333931'), undefined)
})

t('plain (non-GTIN) codes are never sent to Open Food Facts', async () => {
  assert.is(await lookup().lookup('ABC-123'), undefined)
  assert.is(await lookup().lookup('356470659479102'), undefined)
  assert.is(off.requests.length, 0)
})

t('never throws: an unreachable server or a closed database give undefined', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise((resolve) => closed.close(resolve))
  assert.is(await lookup({ baseUrl: `http://127.0.0.1:${port}` }).lookup('03017620422003'), undefined)
  assert.is((await cached('03017620422003'))?.status, 'error')
  const l = lookup()
  await db.destroy()
  assert.is(await l.lookup('05901234123457'), undefined)
  db = await openTestDatabase(':memory:') // for after.each
})

t.run()
