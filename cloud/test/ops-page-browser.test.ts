// The ops page in headless Chromium against a real cloud, with agents of each kind on real MQTT
// connections: the list shows them with their states, devices and alerts; the filters narrow it; an
// agent cut off turns offline on the page without a reload; on an agent's page, identify reaches its
// MQTT client as a valid cmd/identify, an alert is acknowledged, a config is pushed, and the timeline
// and a health chart are drawn. Nothing is requested from anywhere but the cloud.
import { topics } from '@relais/hardware'
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { chromiumAvailable, findChromium, launchChromium } from '../../scripts/testkit/chromium.js'
import { createSite } from '../src/domains/sites/sites.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { type OpsAgent, provision } from './support/ops-agents.js'
import { until, zone } from './support/presence.js'

const bin = findChromium()
const available = chromiumAvailable(bin)

interface Ctx {
  tc: TestCloud
  browser: Browser
  token: string
  scanner: OpsAgent
  button: OpsAgent
  reader: OpsAgent
}
const t = suite<Ctx>('ops page in headless Chromium', {} as Ctx)
const it = available ? t : t.skip

t.before(async (ctx) => {
  if (!available) return
  ctx.tc = await startTestCloud({
    RELAIS_OFFLINE_GRACE_S: '0',
    RELAIS_ALERT_TICK_MS: '100',
    RELAIS_ALERT_DETACHED_S: '0',
  })
  const db = ctx.tc.cloud.db
  await ctx.tc.household('home')
  await createSite(db, { id: 'rue-9', address: '9 rue de la Paix', lat: 48.87, lon: 2.33 })
  await zone(db, 'door')
  ctx.token = await createToken(db, { scope: 'ops', name: 'ops' })
  ctx.scanner = await provision(db, 'kitchen-pi', 'scanner', { householdId: 'home', tags: ['paris'] })
  ctx.button = await provision(db, 'letterbox-pi', 'button', { siteId: 'rue-9', tags: ['lyon'] })
  ctx.reader = await provision(db, 'door-pi', 'beacon', { zoneId: 'door', tags: ['paris'] })
  for (const a of [ctx.scanner, ctx.button, ctx.reader]) await a.connect(ctx.tc.cloud.mqttPort)
  await ctx.button.deviceStatus('detached', 'button unplugged')
  for (const rss of [40e6, 42e6, 41e6])
    await ctx.button.health({ rss_bytes: rss, event_loop_lag_ms: 2, outbox_depth: 0 })
  // The chart reads the time series, which is written in the background.
  await until(async () => {
    const res = await ctx.tc.cloud.app.inject({
      url: '/api/agents/letterbox-pi/health?field=rss_bytes',
      headers: { authorization: `Bearer ${ctx.token}` },
    })
    return res.json().points.length > 0 ? true : undefined
  })
  ctx.browser = await launchChromium(bin)
})
t.after(async (ctx) => {
  await ctx.browser?.close()
  for (const a of [ctx.scanner, ctx.button, ctx.reader]) await a?.client?.endAsync(true).catch(() => {})
  await ctx.tc?.stop()
})

async function open(ctx: Ctx, path: string) {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } })
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

it('lists every agent with its state, filters, and shows one going offline live', async (ctx) => {
  const o = await open(ctx, `/ops#token=${ctx.token}`)
  try {
    const { page } = o
    await page.locator('#live', { hasText: 'Live' }).waitFor()
    assert.not.match(page.url(), 'token=')
    await page.evaluate('window.__sameDocument = true')
    const row = (agent: string) => page.locator(`#rows tr[data-agent="${agent}"]`)
    for (const a of ['kitchen-pi', 'letterbox-pi', 'door-pi'])
      await row(a).and(page.locator('[data-state="online"]')).waitFor()
    await page.locator('#count-online', { hasText: '3' }).waitFor()
    await row('letterbox-pi')
      .locator('.dev[data-state="detached"]', { hasText: 'button unplugged' })
      .waitFor()
    await row('letterbox-pi').locator('td.alerts-n', { hasText: '1' }).waitFor()
    assert.match(await row('door-pi').innerText(), 'zone door')
    assert.match(await row('kitchen-pi').innerText(), '1.4.2')

    await page.selectOption('#f-kind', 'beacon')
    await row('kitchen-pi').waitFor({ state: 'detached' })
    assert.is(await page.locator('#rows tr').count(), 1)
    await page.selectOption('#f-kind', '')
    await page.fill('#f-tag', 'lyon')
    await row('door-pi').waitFor({ state: 'detached' })
    assert.is(await page.locator('#rows tr').count(), 1)
    await page.fill('#f-place', 'household')
    await page.locator('#empty').waitFor()
    await page.fill('#f-tag', '')
    await page.fill('#f-place', '')
    await row('door-pi').waitFor()

    ctx.scanner.cut()
    await row('kitchen-pi').and(page.locator('[data-state="offline"]')).waitFor()
    await page.locator('#count-offline', { hasText: '1' }).waitFor()
    await page.selectOption('#f-state', 'offline')
    await row('door-pi').waitFor({ state: 'detached' })
    assert.is(await page.locator('#rows tr').count(), 1)
    assert.is(await page.evaluate('window.__sameDocument'), true, 'no reload happened')
    assert.equal(o.errors, [])
    assert.equal(o.blocked, [])
  } finally {
    await o.close()
  }
})

it("an agent's page: identify reaches it, ack, config push, timeline and a health chart", async (ctx) => {
  const o = await open(ctx, `/ops#token=${ctx.token}&agent=letterbox-pi`)
  try {
    const { page } = o
    await page.locator('#agent-heading', { hasText: 'letterbox-pi' }).waitFor()
    assert.ok(await page.locator('#fleet').isHidden())
    await page.locator('#timeline li[data-type="birth"]', { hasText: '1.4.2' }).waitFor()
    await page.locator('#timeline li[data-type="alert_raised"]').first().waitFor()
    await page.locator('#timeline li[data-type="connect"]', { hasText: 'connected' }).first().waitFor()
    const memory = page.locator('#charts figure', { hasText: 'Memory' })
    await memory.locator('svg path').waitFor({ state: 'attached' })
    assert.ok(Number(await memory.getAttribute('data-points')) > 0)

    await page.click('#identify')
    await page.locator('#cmd-result', { hasText: 'identify sent to letterbox-pi' }).waitFor()
    const cmd = await ctx.button.waitFor(topics.cmd('letterbox-pi', 'identify'))
    assert.ok(cmd.ok, 'a valid contract message')
    assert.is(cmd.message!.type, 'identify')

    await page.click('#alerts button[data-ack]')
    await page.locator('#alerts li[data-state="acked"]').waitFor()
    await page.locator('#timeline li[data-type="alert_acked"]').waitFor()

    await page.fill('#config', '{ "health": { "intervalS": 20 } }')
    await page.click('#push')
    await page.locator('#config-result', { hasText: 'Pushed revision' }).waitFor()
    const config = await ctx.button.waitFor(topics.config('letterbox-pi'))
    assert.equal((config.message!.data as { health: unknown }).health, { intervalS: 20 })
    await page.locator('#timeline li[data-type="config"]').waitFor()

    await page.click('#back')
    await page.locator('#rows tr[data-agent="door-pi"]').waitFor()
    assert.equal(o.errors, [])
    assert.equal(o.blocked, [])
  } finally {
    await o.close()
  }
})

it('a token that is not an ops token is told so', async (ctx) => {
  const other = await createToken(ctx.tc.cloud.db, { scope: 'zone', zoneId: 'door', name: 'z' })
  const o = await open(ctx, `/ops#token=${other}`)
  try {
    await o.page.locator('#auth-reason', { hasText: 'This link is not an ops link.' }).waitFor()
    assert.ok(await o.page.locator('#fleet').isHidden())
  } finally {
    await o.close()
  }
})

t.run()
