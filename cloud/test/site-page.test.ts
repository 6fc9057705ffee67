// The customer's page in headless Chromium against a real cloud: a press on the letterbox button (real
// MQTT) shows up live as the courier's window in the browser's local time, the courier's Collected (the
// real API) turns it into "Collected at ..." live, the history lists each request with its steps, Cancel
// goes through the API, nothing is requested from anywhere but the cloud, and a wrong link says so.
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { waitFor } from '../../scripts/testkit/services.js'
import type { SitePickups } from '../src/domains/pickups/views.js'
import {
  apiCall,
  browserTime,
  openPage,
  type PickupWorld,
  press,
  startPickupWorld,
} from './support/pickup-pages.js'

const bin = findChromium()
const available = chromiumAvailable(bin)

interface Ctx {
  w: PickupWorld
  browser: Browser
}
const t = suite<Ctx>('customer site page in headless Chromium', {} as Ctx)
const it = available ? t : t.skip

t.before(async (ctx) => {
  if (!available) return
  ctx.w = await startPickupWorld()
  ctx.browser = await launchChromium(bin)
})
t.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.w?.tc.stop()
})

const siteView = (w: PickupWorld, site: PickupWorld['sites'][0]) =>
  apiCall<SitePickups>(w, site.token, 'GET', `/api/sites/${site.id}`)

it('shows the window then "Collected" live, and the history with its steps', async ({ w, browser }) => {
  const site = w.sites[0]!
  const o = await openPage(browser, w, `/s/${site.id}#token=${site.token}`)
  try {
    const { page } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    await page.locator('#current-state', { hasText: 'No open request' }).waitFor()
    await page.locator('#title', { hasText: site.name }).waitFor()
    assert.not.match(page.url(), 'token=')
    await page.evaluate('window.__sameDocument = true')

    const ack = await press(site.button)
    assert.is(ack.outcome, 'pickup_requested')
    await waitFor(
      'the request to be on the round',
      async () => (await siteView(w, site)).current?.window != null,
    )
    const { current } = await siteView(w, site)
    const expected = `Courier expected between ${browserTime(current!.window!.from)} and ${browserTime(current!.window!.to)}`
    await page.locator('#current-state', { hasText: expected }).waitFor()
    await page.getByRole('button', { name: 'Cancel request' }).waitFor()

    await apiCall(w, w.courierToken, 'POST', `/api/pickups/${current!.id}/collected`, {})
    const after = await siteView(w, site)
    const collectedAt = after.history[0]!.transitions!.find((x) => x.to === 'collected')!.at
    await page.locator('#current-state', { hasText: `Collected at ${browserTime(collectedAt)}` }).waitFor()
    await page.getByRole('button', { name: 'Cancel request' }).waitFor({ state: 'hidden' })

    const entry = page.locator('#history > li').first()
    await entry.getByText('Request received at the button').waitFor()
    await entry.getByText('Collected by the courier').waitFor()
    const steps = await entry.locator('.steps li').allInnerTexts()
    assert.is(steps.length, after.history[0]!.transitions!.length)
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload happened')
    assert.equal(o.errors, [])
    assert.equal(o.blocked, [], 'no request to anywhere but the cloud was attempted')
    for (const url of o.requests) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, url)
  } finally {
    await o.close()
  }
})

it('cancels the open request from the page', async ({ w, browser }) => {
  const site = w.sites[1]!
  assert.is((await press(site.button)).outcome, 'pickup_requested')
  const o = await openPage(browser, w, `/s/${site.id}#token=${site.token}`)
  try {
    const { page } = o
    await page.getByRole('button', { name: 'Cancel request' }).click()
    const dialog = page.getByRole('dialog', { name: 'Cancel this pickup?' })
    await dialog.getByRole('button', { name: 'Keep the request' }).click()
    await dialog.waitFor({ state: 'hidden' })
    assert.ok((await siteView(w, site)).current, 'kept: still open')

    await page.getByRole('button', { name: 'Cancel request' }).click()
    await dialog.getByRole('combobox', { name: /Why/ }).selectOption('Pressed by mistake')
    await dialog.getByRole('button', { name: 'Cancel the pickup' }).click()
    await page.locator('#current-state', { hasText: 'Cancelled' }).waitFor()
    const v = await siteView(w, site)
    assert.equal([v.current, v.history[0]!.state], [null, 'cancelled'])
    const cancel = v.history[0]!.transitions!.find((x) => x.to === 'cancelled')!
    assert.match(cancel.reason ?? '', 'Pressed by mistake')
    await page
      .locator('#history > li')
      .first()
      .getByText(/Cancelled.*Pressed by mistake/)
      .waitFor()
    assert.equal(o.errors, [])
  } finally {
    await o.close()
  }
})

it('tells the customer when the link is wrong, or is for another address', async ({ w, browser }) => {
  const [a, b] = w.sites as [PickupWorld['sites'][0], PickupWorld['sites'][0]]
  const wrong = await openPage(browser, w, `/s/${a.id}#token=rs_not-a-real-token`)
  try {
    await wrong.page.locator('#auth', { hasText: 'Use the link that came with your pickup button' }).waitFor()
    await wrong.page.getByText('did not accept this link').waitFor()
    assert.ok(await wrong.page.locator('#app').isHidden())
    assert.is(await wrong.page.evaluate(`localStorage.getItem('relais.site.${a.id}')`), null)
  } finally {
    await wrong.close()
  }
  const other = await openPage(browser, w, `/s/${a.id}#token=${b.token}`)
  try {
    await other.page.getByText('This link is for another address.').waitFor()
  } finally {
    await other.close()
  }
})

t.run()
