// The household page in headless Chromium (Debian's chromium driven by playwright-core): a simulated
// scanner connects and scans, and the page, opened before, shows the item, the scanner online and its
// last scan without a reload; + , check off and naming an unknown product go through the real API.
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope, parseBarcode, topics } from '@relais/hardware'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { waitFor } from '../../scripts/testkit/services.js'
import { addProduct as addToCatalogue } from './support/catalogue.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const bin = findChromium()
const available = chromiumAvailable(bin)
// Playwright waits for each condition itself; these are ceilings for a loaded 2-core machine.
const WAIT_MS = 30_000

interface Ctx {
  tc: TestCloud
  browser: Browser
}
const t = suite<Ctx>('household page in headless Chromium', {} as Ctx)
const it = available ? t : t.skip

t.before(async (ctx) => {
  if (!available) return
  ctx.tc = await startTestCloud()
  ctx.browser = await launchChromium(bin)
})
t.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.tc?.stop()
})

async function openPage(
  ctx: Ctx,
  path: string,
): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await ctx.browser.newContext({ viewport: { width: 390, height: 844 } })
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT_MS)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  await page.goto(`http://127.0.0.1:${ctx.tc.cloud.httpPort}${path}`)
  return { page, context, errors }
}

const addProduct = (tc: TestCloud, code: string, name: string) =>
  addToCatalogue(tc.cloud.db, parseBarcode(code).key!, name)

async function apiItem(tc: TestCloud, household: string, token: string, name: string) {
  const res = await fetch(`http://127.0.0.1:${tc.cloud.httpPort}/api/households/${household}/list`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const body = (await res.json()) as {
    items: Array<{ name: string | null; quantity: number; checked: boolean }>
  }
  return body.items.find((i) => i.name === name)
}

it('shows a scan live, the scanner online, and takes +, check-off and a name', async (ctx) => {
  const { tc } = ctx
  const { token } = await tc.household('home')
  const { secret } = await tc.agent('kitchen', 'home')
  await addProduct(tc, '3017620422003', 'Nutella')
  const { page, context, errors } = await openPage(ctx, `/h/home#token=${token}`)
  try {
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    assert.not.match(page.url(), 'token=', 'the token stays in the address bar')
    await page.locator('.agent', { hasText: 'kitchen' }).getByText('Offline').waitFor()

    // The simulated scanner: connects with its will, says it is online (retained), scans.
    const session = 'page-test'
    const status = (state: 'online' | 'offline', seq: number) =>
      JSON.stringify(makeEnvelope({ agent: 'kitchen', type: 'status', session, seq, data: { state } }))
    const client = await tc.connect('kitchen', 'kitchen', secret, {
      will: {
        topic: topics.status('kitchen'),
        payload: Buffer.from(status('offline', 0)),
        qos: 1,
        retain: true,
      },
    })
    const device = new TestDevice(client, 'kitchen', 'scanner-1', session)
    await device.subscribeAcks()
    await client.publishAsync(topics.status('kitchen'), status('online', 1), { qos: 1, retain: true })
    await page.locator('.agent', { hasText: 'kitchen' }).getByText('Online', { exact: true }).waitFor()

    assert.is((await device.scan('3017620422003')).ack.outcome, 'added')
    await page.locator('#todo li', { hasText: 'Nutella' }).waitFor()
    await page.locator('#announce', { hasText: 'Added: Nutella' }).waitFor({ state: 'attached' })
    await page.locator('.agent', { hasText: 'Last scan just now' }).waitFor()

    assert.is((await device.scan('2000000000015')).ack.outcome, 'unknown_product')
    await page.locator('#todo li', { hasText: 'Unknown product 2000000000015' }).waitFor()
    await page.locator('#unknown li', { hasText: '2000000000015' }).waitFor()

    await page.getByRole('button', { name: 'Increase quantity of Nutella' }).click()
    await page.locator('#todo li', { hasText: 'Nutella' }).locator('.qty-value', { hasText: /^2$/ }).waitFor()
    await waitFor(
      'the API to say quantity 2',
      async () => (await apiItem(tc, 'home', token, 'Nutella'))?.quantity === 2,
    )

    await page.getByRole('checkbox', { name: 'Nutella' }).check()
    await page.locator('#done li', { hasText: 'Nutella' }).waitFor()
    await waitFor(
      'the API to say checked',
      async () => (await apiItem(tc, 'home', token, 'Nutella'))?.checked,
    )

    await page.getByRole('textbox', { name: 'Unknown product 2000000000015' }).fill('Olive oil')
    await page.getByRole('button', { name: 'Name it: 2000000000015' }).click()
    await page.locator('#todo li', { hasText: 'Olive oil' }).waitFor()
    await page.locator('#inbox').waitFor({ state: 'hidden' })
    assert.ok(await apiItem(tc, 'home', token, 'Olive oil'), 'the API has the new name')

    assert.ok(await page.locator('#status').isHidden(), await page.locator('#status').innerText())
    const shot = join(tmpdir(), `relais-household-${process.pid}.png`)
    try {
      await page.screenshot({ path: shot, fullPage: true })
      const png = readFileSync(shot)
      assert.ok(png.length > 1000, `screenshot of ${png.length} bytes`)
      assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    } finally {
      rmSync(shot, { force: true })
    }
    assert.equal(errors, [], 'no script errors, CSP violations or failed requests')
  } finally {
    await context.close()
  }
})

it('tells the user to open the printed link when the token is wrong or missing', async (ctx) => {
  await ctx.tc.household('wrong')
  const wrong = await openPage(ctx, '/h/wrong#token=rh_not-a-real-token')
  try {
    await wrong.page.locator('#auth', { hasText: 'Open the link printed by npm start' }).waitFor()
    await wrong.page.getByText('did not accept this link').waitFor()
    assert.ok(await wrong.page.locator('#app').isHidden(), 'no list is shown')
    const stored = await wrong.page.evaluate("localStorage.getItem('relais.token.wrong')")
    assert.is(stored, null, 'a refused token is forgotten')
  } finally {
    await wrong.context.close()
  }
  const none = await openPage(ctx, '/h/wrong')
  try {
    await none.page.locator('#auth', { hasText: 'npm start' }).waitFor()
    await none.page.getByText('opened without its key').waitFor()
  } finally {
    await none.context.close()
  }
})

t.run()
