// Test support for the courier's and the customer's pages in headless Chromium: a real cloud with a
// depot, a courier and sites with pickup buttons (real MQTT clients that press and read their acks),
// courier and site tokens, and browser pages that may reach nothing but the loopback cloud: every
// other request is aborted and recorded, so a test can assert that none was even attempted.
import { makeEnvelope, topics } from '@relais/hardware'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { addAgent } from '../../src/domains/agents/agents.js'
import { assignSiteCourier, createCourier } from '../../src/domains/couriers/couriers.js'
import { createDepot } from '../../src/domains/depots/depots.js'
import { createSite } from '../../src/domains/sites/sites.js'
import { issueToken } from '../../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud, TestDevice } from './harness.js'

// Playwright waits for each condition itself; this is a ceiling for a loaded 2-core machine.
export const WAIT_MS = 30_000
/** The browser's zone and locale: not the cloud's, so the pages must convert to local time themselves. */
export const BROWSER_TZ = 'America/New_York'
export const BROWSER_LOCALE = 'en-GB'

/**
 * A fixed-offset zone where it is now about 09:00, for the cloud's RELAIS_TZ: a courier's working day
 * (08:00-18:00 by default) then has hours left whenever the test runs. Etc/GMT signs are inverted.
 */
export function morningZone(now = Date.now()): string {
  const utcHour = new Date(now).getUTCHours()
  const offset = ((((9 - utcHour + 12) % 24) + 24) % 24) - 12
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`
}

/** Times as the browser shows them (Intl in the browser's zone and locale). */
export const browserTime = (ms: number) =>
  new Intl.DateTimeFormat(BROWSER_LOCALE, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: BROWSER_TZ,
  }).format(ms)

export interface SiteFixture {
  id: string
  name: string
  button: TestDevice
  token: string
}

export interface PickupWorld {
  tc: TestCloud
  courier: string
  courierToken: string
  opsToken: string
  sites: SiteFixture[]
  base: string
}

// Four letterboxes around a depot in Paris's 11th arrondissement.
const PLACES = [
  {
    id: 'rue-oberkampf-20',
    name: '20 rue Oberkampf',
    lat: 48.8649,
    lon: 2.3712,
    notes: 'Blue door, code 4512',
  },
  { id: 'bd-voltaire-88', name: '88 boulevard Voltaire', lat: 48.8583, lon: 2.3798, notes: null },
  { id: 'rue-de-charonne-51', name: '51 rue de Charonne', lat: 48.8534, lon: 2.3776, notes: null },
  { id: 'rue-amelot-64', name: '64 rue Amelot', lat: 48.8611, lon: 2.3668, notes: null },
]

export async function startPickupWorld(): Promise<PickupWorld> {
  const tc = await startTestCloud({ RELAIS_TZ: morningZone() })
  const db = tc.cloud.db
  await createDepot(db, {
    id: 'depot-11',
    name: 'Depot Paris 11',
    address: '1 rue Popincourt',
    lat: 48.857,
    lon: 2.3735,
  })
  await createCourier(db, { id: 'camille', depotId: 'depot-11', name: 'Camille', shift: '06:00-22:00' })
  await createCourier(db, { id: 'other-courier', depotId: 'depot-11' })
  const courierToken = (await issueToken(db, { scope: 'courier', courierId: 'camille' })).token
  const opsToken = (await issueToken(db, { scope: 'ops' })).token
  const sites: SiteFixture[] = []
  for (const p of PLACES) {
    await createSite(db, {
      id: p.id,
      name: p.name,
      address: `${p.name}, 75011 Paris`,
      lat: p.lat,
      lon: p.lon,
      ...(p.notes ? { notes: p.notes } : {}),
      contact: '+33 6 12 34 56 78',
    })
    await assignSiteCourier(db, p.id, 'camille')
    const agent = `lb-${p.id}`.slice(0, 63)
    const a = await addAgent(db, { id: agent, siteId: p.id })
    const button = new TestDevice(await tc.connect(agent, a.username, a.secret), agent, 'button', 's1')
    await button.subscribeAcks()
    const token = (await issueToken(db, { scope: 'site', siteId: p.id })).token
    sites.push({ id: p.id, name: p.name, button, token })
  }
  return {
    tc,
    courier: 'camille',
    courierToken,
    opsToken,
    sites,
    base: `http://127.0.0.1:${tc.cloud.httpPort}`,
  }
}

let seq = 0
/** A press on the button, as the edge agent sends it; resolves with the ack's data. */
export async function press(dev: TestDevice, kind: 'single' | 'double' | 'long' = 'single') {
  const env = makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'press',
    session: dev.session,
    seq: seq++,
    data: { press: kind },
  })
  const wait = dev.waitAck(env.id, 20_000)
  await dev.publish(env, topics.event(dev.agent, dev.device, 'press'))
  return (await wait).data as { outcome: string; pickup?: { id: string; state: string } }
}

/** A JSON API call as a test client (not the page). */
export async function apiCall<T>(
  w: PickupWorld,
  token: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await fetch(w.base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = (await res.json().catch(() => null)) as T
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`)
  return data
}

export interface OpenedPage {
  page: Page
  context: BrowserContext
  /** Script errors, CSP violations and failed requests the page reported. */
  errors: string[]
  /** Every request the page made. */
  requests: string[]
  /** Requests to anywhere but the loopback cloud: aborted, and listed here. */
  blocked: string[]
  close(): Promise<void>
}

/** Opens `path` on the cloud in a phone-sized context whose only reachable host is 127.0.0.1. */
export async function openPage(browser: Browser, w: PickupWorld, path: string): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    timezoneId: BROWSER_TZ,
    locale: BROWSER_LOCALE,
  })
  const blocked: string[] = []
  const requests: string[] = []
  await context.route(
    () => true,
    (route) => {
      const url = new URL(route.request().url())
      if (url.hostname === '127.0.0.1') return route.continue()
      blocked.push(url.href)
      return route.abort('internetdisconnected')
    },
  )
  context.on('request', (r) => requests.push(r.url()))
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT_MS)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  await page.goto(w.base + path)
  return { page, context, errors, requests, blocked, close: () => context.close() }
}
