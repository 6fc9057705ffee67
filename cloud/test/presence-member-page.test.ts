// A member's own page in headless Chromium against a real cloud: what is held (consent, beacon, visit,
// history), withdrawing the consent (the reader's retained config drops the key), the JSON download, and
// erasure after a confirmation; another member's link is told it is for someone else. The page shells
// are served without a token, under the pages' CSP.
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import {
  connectReader,
  enterEnvelope,
  KEY_A,
  KEY_B,
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
}
const t = suite<Ctx>('member page in headless Chromium', {} as Ctx)
const it = available ? t : t.skip

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await zone(ctx.tc.cloud.db, 'shop-door')
  ctx.reader = await connectReader(ctx.tc, 'door-pi', 'shop-door')
  if (available) ctx.browser = await launchChromium(bin)
})
t.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.tc.stop()
})

t('the /z/ and /m/ shells need no token and carry the CSP', async ({ tc }) => {
  for (const url of ['/z/shop-door', '/m/m-0123456789abcdef0123']) {
    const res = await tc.cloud.app.inject({ method: 'GET', url })
    assert.is(res.statusCode, 200, url)
    assert.match(String(res.headers['content-type']), 'text/html')
    assert.match(String(res.headers['content-security-policy']), "default-src 'self'")
    assert.not.match(res.body, /m-0123456789abcdef0123|shop-door/, 'the shell holds no data')
  }
})

async function open(
  ctx: Ctx,
  path: string,
): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
  const context = await ctx.browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  await page.goto(`http://127.0.0.1:${ctx.tc.cloud.httpPort}${path}`)
  return { page, errors, close: () => context.close() }
}

it('shows what is held; withdraw, download and erase work', async (ctx) => {
  const { tc, reader } = ctx
  const m = await member(tc.cloud.db, KEY_A, 'shop-door', { now: Date.now() - 60_000 })
  assert.is((await send(reader.device, enterEnvelope(reader.device, KEY_A, 'shop-door'))).outcome, 'recorded')
  await tc.cloud.allowLists!.refresh()
  await reader.waitConfig((c) => c.data.beacons?.['ble-0']?.allow.includes(KEY_A) === true)
  const o = await open(ctx, `/m/${m.id}#token=${m.token}`)
  try {
    const { page } = o
    await page.locator('#subtitle', { hasText: m.id }).waitFor()
    await page.locator('#beacons li', { hasText: KEY_A }).waitFor()
    await page.locator('#sessions li', { hasText: 'shop-door' }).waitFor()
    await page.locator('#audit li', { hasText: 'granted' }).waitFor()

    const before = reader.configs.length
    await page.getByRole('button', { name: 'Withdraw' }).click()
    await page.locator('#consents li', { hasText: 'withdrawn' }).waitFor()
    await page.locator('#audit li', { hasText: `revoked (shop-door) by member:${m.id}` }).waitFor()
    const pushed = await reader.waitConfig((c) => reader.configs.indexOf(c) >= before)
    assert.equal(pushed.data.beacons?.['ble-0']?.allow, [], 'the reader is told at once')

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download all of it (JSON)' }).click(),
    ])
    assert.is(download.suggestedFilename(), `relais-${m.id}.json`)
    const path = await download.path()
    const body = JSON.parse(await readFile(path!, 'utf8'))
    assert.equal(Object.keys(body).sort(), [
      'audit',
      'beacons',
      'consents',
      'exportedAt',
      'member',
      'sessions',
    ])

    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Erase me' }).click()
    await page.locator('#erased').waitFor()
    const left = await tc.cloud.db.selectFrom('members').select('id').where('id', '=', m.id).execute()
    assert.equal(left, [])
    assert.equal(o.errors, [])
  } finally {
    await o.close()
  }
})

it("another member's link is told it is for someone else", async (ctx) => {
  const a = await member(ctx.tc.cloud.db, KEY_B, 'shop-door')
  const b = await member(ctx.tc.cloud.db, `altbeacon:${'3'.repeat(40)}`, 'shop-door')
  const o = await open(ctx, `/m/${a.id}#token=${b.token}`)
  try {
    await o.page.locator('#auth-reason', { hasText: 'This link is for someone else.' }).waitFor()
    assert.ok(await o.page.locator('#app').isHidden())
  } finally {
    await o.close()
  }
})

t.run()
