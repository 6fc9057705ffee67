// The zone staff page in headless Chromium against a real cloud: a reader's enter (real MQTT through
// ingest) puts the member on the page live, its leave or a withdrawn consent takes them off, without a
// reload; a token for
// another zone is told so; nothing is requested from anywhere but the cloud.
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { issueToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import {
  connectReader,
  enterEnvelope,
  KEY_A,
  KEY_B,
  leaveEnvelope,
  member,
  type Reader,
  send,
  zone,
} from './support/presence.js'

const bin = findChromium()
const available = chromiumAvailable(bin)

interface Ctx {
  tc: TestCloud
  browser: Browser
  reader: Reader
  token: string
  other: string
}
const t = suite<Ctx>('zone staff page in headless Chromium', {} as Ctx)
const it = available ? t : t.skip

t.before(async (ctx) => {
  if (!available) return
  ctx.tc = await startTestCloud()
  const db = ctx.tc.cloud.db
  await zone(db, 'shop-door')
  await zone(db, 'back-office')
  ctx.reader = await connectReader(ctx.tc, 'door-pi', 'shop-door')
  ctx.token = (await issueToken(db, { scope: 'zone', zoneId: 'shop-door' })).token
  ctx.other = (await issueToken(db, { scope: 'zone', zoneId: 'back-office' })).token
  ctx.browser = await launchChromium(bin)
})
t.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.tc?.stop()
})

async function open(ctx: Ctx, path: string) {
  const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 } })
  const blocked: string[] = []
  await context.route(
    () => true,
    (route) => {
      const url = new URL(route.request().url())
      if (url.hostname === '127.0.0.1') return route.continue()
      blocked.push(url.href)
      return route.abort('internetdisconnected')
    },
  )
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(`http://127.0.0.1:${ctx.tc.cloud.httpPort}${path}`)
  return { page, blocked, errors, close: () => context.close() }
}

it('an enter shows the member live, a leave takes them off', async (ctx) => {
  const { tc, reader } = ctx
  const a = await member(tc.cloud.db, KEY_A, 'shop-door', { now: Date.now() - 60_000 })
  await member(tc.cloud.db, KEY_B, 'shop-door', { consent: false })
  const o = await open(ctx, `/z/shop-door#token=${ctx.token}`)
  try {
    const { page } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    await page.locator('#empty', { hasText: 'Nobody who opted in is here' }).waitFor()
    await page.locator('#title', { hasText: 'Zone shop-door' }).waitFor()
    assert.not.match(page.url(), 'token=')
    await page.evaluate('window.__sameDocument = true')

    const at = Date.now()
    assert.equal(await send(reader.device, enterEnvelope(reader.device, KEY_A, 'shop-door', at)), {
      outcome: 'recorded',
    })
    const refused = await send(reader.device, enterEnvelope(reader.device, KEY_B, 'shop-door', at))
    assert.is(refused.outcome, 'refused')
    const row = page.locator(`#present li[data-member="${a.id}"]`)
    await row.getByText(`ref-${KEY_A.slice(-4)}`).waitFor()
    await page.locator('#count', { hasText: '(1)' }).waitFor()

    assert.equal(await send(reader.device, leaveEnvelope(reader.device, KEY_A, 'shop-door', at, at + 1000)), {
      outcome: 'recorded',
    })
    await row.waitFor({ state: 'detached' })
    await page.locator('#empty').waitFor()

    // Back in; then the member withdraws their consent: the page drops them at once, with no leave sent.
    const back = Date.now()
    assert.equal(await send(reader.device, enterEnvelope(reader.device, KEY_A, 'shop-door', back)), {
      outcome: 'recorded',
    })
    await row.waitFor()
    const res = await tc.cloud.app.inject({
      method: 'DELETE',
      url: `/api/members/${a.id}/consents/${a.consent!.id}`,
      headers: { authorization: `Bearer ${a.token}` },
    })
    assert.is(res.statusCode, 200)
    await row.waitFor({ state: 'detached' })
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload happened')
    assert.equal(o.errors, [])
    assert.equal(o.blocked, [])
  } finally {
    await o.close()
  }
})

it("another zone's token is told it is for another zone", async (ctx) => {
  const o = await open(ctx, `/z/shop-door#token=${ctx.other}`)
  try {
    await o.page.locator('#auth-reason', { hasText: 'This link is for another zone.' }).waitFor()
    assert.ok(await o.page.locator('#app').isHidden())
  } finally {
    await o.close()
  }
})

t.run()
