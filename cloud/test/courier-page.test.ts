// The courier's page in headless Chromium against a real cloud: buttons pressed over real MQTT become
// stops; the page shows the round in the API's order with its windows in the browser's local time and an
// SVG map with one marker per stop plus the depot; Collected and Nothing in the box go through the API
// and move the stop to Done; a new press and a cancel show up live; the stream and the actions survive
// the network going away and coming back; and the page reaches nothing but the cloud.
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { waitFor } from '../../scripts/testkit/services.js'
import type { PickupView, RoundView } from '../src/domains/pickups/views.js'
import {
  apiCall,
  browserTime,
  type OpenedPage,
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
const t = suite<Ctx>('courier page in headless Chromium', {} as Ctx)
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

const round = (w: PickupWorld) =>
  apiCall<RoundView>(w, w.courierToken, 'GET', `/api/couriers/${w.courier}/round`)
const pickup = (w: PickupWorld, id: string) =>
  w.tc.cloud.db.selectFrom('pickup_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

async function stopNames(o: OpenedPage): Promise<string[]> {
  return (await o.page.locator('#stops .stop h3').allInnerTexts()).map((s) =>
    s.replace(/^Stop \d+:\s*/, '').trim(),
  )
}

it('shows the round in order with its map, takes Collected and Nothing in the box, follows presses live', async ({
  w,
  browser,
}) => {
  const [a, b, c, d] = w.sites as [
    PickupWorld['sites'][0],
    PickupWorld['sites'][0],
    PickupWorld['sites'][0],
    PickupWorld['sites'][0],
  ]
  for (const s of [a, b, c]) assert.is((await press(s.button)).outcome, 'pickup_requested')
  await waitFor('three stops on the round', async () => (await round(w)).stops.length === 3, 20_000)

  const o = await openPage(browser, w, `/c/${w.courier}#token=${w.courierToken}`)
  try {
    const { page } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    assert.not.match(page.url(), 'token=', 'the token leaves the address bar')
    await page.locator('#stops .stop').nth(2).waitFor()

    // The API's order, seq by seq, windows in the browser's zone.
    const r = await round(w)
    assert.equal(
      await stopNames(o),
      r.stops.map((s) => s.site.name),
    )
    // seq is the 0-based visiting order; people count from 1.
    assert.equal(
      await page.locator('#stops .seq').allInnerTexts(),
      r.stops.map((s) => String(s.seq + 1)),
    )
    for (const [i, s] of r.stops.entries()) {
      const windowText = await page.locator('#stops .stop').nth(i).locator('.window').innerText()
      assert.is(windowText, `${browserTime(s.window.from)}–${browserTime(s.window.to)}`)
      const links = page.locator('#stops .stop').nth(i).locator('.links a')
      assert.is(await links.nth(0).getAttribute('href'), s.mapUrl)
      assert.is(await links.nth(1).getAttribute('href'), `geo:${s.site.lat},${s.site.lon}`)
    }
    await page.locator('#stops .stop', { hasText: 'Blue door, code 4512' }).waitFor()

    // The map: one marker per stop, numbered as the list, plus the depot, and the route through them.
    assert.is(await page.locator('#map .stop-marker').count(), 3)
    assert.is(await page.locator('#map .depot-marker').count(), 1)
    const markers = await page
      .locator('#map .stop-marker')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-seq'), g.textContent]))
    assert.equal(
      markers.sort(),
      r.stops.map((s) => [String(s.seq), `Stop ${s.seq + 1}: ${s.site.name}${s.seq + 1}`]).sort(),
      'each marker: its stop, titled, numbered as in the list',
    )
    const route = (await page.locator('#map path.route').getAttribute('d')) ?? ''
    assert.is(route.match(/[ML]/g)?.length, 4, 'the route runs from the depot through 3 stops')

    // Collected: the API records it and the stop moves to Done at once.
    await page.evaluate('window.__sameDocument = true')
    const first = r.stops[0]!
    await page.getByRole('button', { name: `Collected: ${first.site.name}` }).click()
    await page
      .locator('#done li', { hasText: first.site.name })
      .getByText(/^Collected at \d\d:\d\d$/)
      .waitFor()
    assert.not.ok(
      (await stopNames(o)).includes(first.site.name),
      'a collected stop is no longer among those to collect',
    )
    await waitFor(
      'the request to be collected',
      async () => (await pickup(w, first.request.id)).state === 'collected',
    )

    // Nothing in the box asks why before it calls the API.
    const second = r.stops[1]!
    await page.getByRole('button', { name: `Nothing in the box: ${second.site.name}` }).click()
    const dialog = page.getByRole('dialog', { name: 'Nothing in the box' })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Confirm: nothing found' }).click()
    await dialog.getByText('Choose what happened.').waitFor()
    assert.is((await pickup(w, second.request.id)).state, 'scheduled', 'no reason, no call')
    await dialog.getByRole('radio', { name: 'Other' }).check()
    await dialog.getByRole('button', { name: 'Confirm: nothing found' }).click()
    await dialog.getByText('Say what happened under Details.').waitFor()
    await dialog.getByRole('radio', { name: 'Letterbox empty' }).check()
    await dialog.getByRole('textbox', { name: /Details/ }).fill('flap was open')
    await dialog.getByRole('button', { name: 'Confirm: nothing found' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page
      .locator('#done li', { hasText: second.site.name })
      .getByText('Nothing found: Letterbox empty: flap was open')
      .waitFor()
    const nf = await pickup(w, second.request.id)
    assert.equal([nf.state, nf.closed_reason], ['not_found', 'Letterbox empty: flap was open'])

    // A press elsewhere appears without a reload, announced; a long press (cancel) takes it away.
    assert.is((await press(d.button)).outcome, 'pickup_requested')
    await page.locator('#stops .stop', { hasText: d.name }).waitFor()
    await page.locator('#announce', { hasText: `${d.name}` }).waitFor({ state: 'attached' })
    assert.match((await page.locator('#updated').textContent()) ?? '', /^Updated \d\d:\d\d$/)
    assert.is(await page.locator('#map .stop-marker').count(), 2, 'the map follows: c and d')
    assert.is((await press(d.button, 'long')).outcome, 'pickup_cancelled')
    await page.locator('#stops .stop', { hasText: d.name }).waitFor({ state: 'detached' })
    await page.locator('#announce', { hasText: `Removed: ${d.name}` }).waitFor({ state: 'attached' })
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload happened')

    assert.ok(await page.locator('#status').isHidden(), await page.locator('#status').innerText())
    assert.equal(o.errors, [], 'no script errors, CSP violations or failed requests')
    assert.equal(o.blocked, [], 'no request to anywhere but the cloud was attempted')
    for (const url of o.requests) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, url)
  } finally {
    await o.close()
  }
})

it('says the network is gone, keeps the round, and catches up when it is back', async ({ w, browser }) => {
  const o = await openPage(browser, w, `/c/${w.courier}#token=${w.courierToken}`)
  try {
    const { page, context } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    const before = await round(w)
    const shown = await stopNames(o)
    assert.equal(
      shown,
      before.stops.map((s) => s.site.name),
    )

    await context.setOffline(true)
    await page.locator('#live', { hasText: /No network|Offline/ }).waitFor()
    const target = before.stops[0]!
    await page.getByRole('button', { name: `Collected: ${target.site.name}` }).click()
    await page.locator('#status', { hasText: /no network|cannot be reached/ }).waitFor()
    assert.equal(await stopNames(o), shown, 'the round stays on screen, the stop stays to collect')
    assert.is((await pickup(w, target.request.id)).state, 'scheduled')

    // Changed while the page was cut off: it must see it once the network is back.
    const fresh = w.sites.find((s) => !shown.includes(s.name) && s.name !== target.site.name)!
    assert.is((await press(fresh.button)).outcome, 'pickup_requested')
    // Planned before the page is back, so its stream has no event left to tell: only the refetch on
    // reconnecting can show it.
    await waitFor('the new stop on the round', async () =>
      (await round(w)).stops.some((s) => s.site.id === fresh.id),
    )
    await context.setOffline(false)
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    await page.locator('#stops .stop', { hasText: fresh.name }).waitFor()
    // The failed action's message stays until dismissed (a successful read does not hide it).
    assert.match(await page.locator('#status').innerText(), `Could not mark as collected ${target.site.name}`)
    await page.getByRole('button', { name: 'Dismiss the message' }).click()
    await page.locator('#status').waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: `Collected: ${target.site.name}` }).click()
    await page.locator('#done li', { hasText: target.site.name }).waitFor()
    await waitFor('collected after the network came back', async () => {
      return (await pickup(w, target.request.id)).state === 'collected'
    })
    assert.equal(o.blocked, [])
  } finally {
    await o.close()
  }
})

it('tells the courier when the link is wrong, or is another courier’s', async ({ w, browser }) => {
  const wrong = await openPage(browser, w, `/c/${w.courier}#token=rc_not-a-real-token`)
  try {
    await wrong.page.locator('#auth', { hasText: 'Ask the depot for your round’s link' }).waitFor()
    await wrong.page.getByText('did not accept this link').waitFor()
    assert.ok(await wrong.page.locator('#app').isHidden(), 'no round is shown')
    assert.is(await wrong.page.evaluate(`localStorage.getItem('relais.courier.${w.courier}')`), null)
  } finally {
    await wrong.close()
  }
  const other = await openPage(browser, w, `/c/other-courier#token=${w.courierToken}`)
  try {
    await other.page.getByText('This link is not for this round.').waitFor()
  } finally {
    await other.close()
  }
  const none = await openPage(browser, w, `/c/${w.courier}`)
  try {
    await none.page.getByText('opened without its key').waitFor()
  } finally {
    await none.close()
  }
})

it('shows another day’s round from the day picker', async ({ w, browser }) => {
  const o = await openPage(browser, w, `/c/${w.courier}#token=${w.courierToken}`)
  try {
    const { page } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    const today = (await round(w)).day
    assert.is(await page.locator('#day').inputValue(), today)
    const next = new Date(`${today}T12:00:00Z`)
    next.setUTCDate(next.getUTCDate() + 7)
    const day = next.toISOString().slice(0, 10)
    await page.locator('#day').fill(day)
    await page.locator('#stops-empty').waitFor()
    assert.match(page.url(), `?day=${day}`)
    const other = await apiCall<RoundView>(
      w,
      w.courierToken,
      'GET',
      `/api/couriers/${w.courier}/round?day=${day}`,
    )
    assert.equal([other.day, other.stops.length], [day, 0])
    await page.getByRole('button', { name: 'Today' }).click()
    await page.locator('#stops .stop').first().waitFor()
  } finally {
    await o.close()
  }
})

// The done list is fed by the API's own view: a reload shows what the clicks did.
it('shows the collected and not-found requests of the day after a reload', async ({ w, browser }) => {
  const o = await openPage(browser, w, `/c/${w.courier}#token=${w.courierToken}`)
  try {
    const r = await round(w)
    const done: PickupView[] = r.done
    assert.ok(done.length >= 2, `${done.length} done`)
    await o.page
      .locator('#done li')
      .nth(done.length - 1)
      .waitFor()
    assert.is(await o.page.locator('#done li').count(), done.length)
    await o.page.locator('#done li', { hasText: 'Nothing found: Letterbox empty: flap was open' }).waitFor()
  } finally {
    await o.close()
  }
})

t.run()
