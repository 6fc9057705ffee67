// A small fleet for the Home Assistant bridge tests: a fridge scanner agent in a household, a pickup
// button agent at a site, a beacon reader in a presence zone with one consenting member, all born
// (retained status and info), and Home Assistant connected with its integration account.
import { suite } from 'uvu'
import { addAgent } from '../../src/domains/agents/agents.js'
import { createSite } from '../../src/domains/sites/sites.js'
import { bornAgent, HaListener, haAccount } from './ha.js'
import { startTestCloud, type TestCloud, TestDevice } from './harness.js'
import { connectReader, KEY_A, member, type Reader, zone } from './presence.js'

/** As scanned; the catalogue keys products by GTIN-14 (NUTELLA_KEY). */
export const NUTELLA = '3017620422003'
const NUTELLA_KEY = '03017620422003'

export interface HaFleet {
  tc: TestCloud
  ha: HaListener
  haSecret: string
  scanner: TestDevice
  button: TestDevice
  reader: Reader
}

export async function startHaFleet(env: Record<string, string> = { RELAIS_HA_DISCOVERY: 'on' }) {
  const tc = await startTestCloud(env)
  const db = tc.cloud.db
  await tc.household('home')
  await db
    .insertInto('products')
    .values({
      code: NUTELLA_KEY,
      name: 'Nutella',
      brands: 'Ferrero',
      quantity: '400 g',
      image_url: null,
      categories: null,
      lang: 'fr',
      source: 'test',
      updated_at: 0,
    })
    .execute()
  const kitchen = await tc.agent('kitchen', 'home')
  await createSite(db, { id: 'rivoli-12', address: '12 rue de Rivoli, Paris', lat: 48.8556, lon: 2.3601 })
  const letterbox = await addAgent(db, { id: 'letterbox', siteId: 'rivoli-12' })
  await zone(db, 'shop')
  await member(db, KEY_A, 'shop')

  const haSecret = await haAccount(tc)
  const haClient = await tc.connect('ha-main', 'home-assistant', haSecret)
  const ha = new HaListener(haClient)
  await haClient.subscribeAsync(['homeassistant/#', 'relais/ha/#', 'relais/v1/+/status'], { qos: 1 })

  const scanner = new TestDevice(
    await bornAgent(tc, 'kitchen', kitchen.secret, [{ id: 'scanner-1', kind: 'scanner' }]),
    'kitchen',
    'scanner-1',
  )
  await scanner.subscribeAcks()
  const button = new TestDevice(
    await bornAgent(tc, 'letterbox', letterbox.secret, [{ id: 'button', kind: 'button' }]),
    'letterbox',
    'button',
  )
  await button.subscribeAcks()
  const reader = await connectReader(tc, 'door', 'shop')
  // The reader's agent and the zone were written straight to the database, as the relais CLI does from
  // another process: the bridge's periodic sync is what finds them; here it is called at once.
  await tc.cloud.homeAssistant?.sync()
  return { tc, ha, haSecret, scanner, button, reader } satisfies HaFleet
}

/** A suite over one fleet, started before its tests and stopped after. */
export function haSuite(name: string, env?: Record<string, string>) {
  const t = suite<{ f: HaFleet }>(name)
  t.before(async (ctx) => {
    ctx.f = await startHaFleet(env)
  })
  t.after(async (ctx) => ctx.f.tc.stop())
  return t
}

/** Config topics the bridge gives this fleet, by what they are. */
export const CONFIG = {
  online: (agent: string) => `homeassistant/binary_sensor/relais_${agent}/online/config`,
  lastScan: 'homeassistant/sensor/relais_kitchen/scanner-1_last_scan/config',
  lastScanAt: 'homeassistant/sensor/relais_kitchen/scanner-1_last_scan_at/config',
  pickup: 'homeassistant/sensor/relais_letterbox/button_pickup/config',
  trigger: (press: string) => `homeassistant/device_automation/relais_letterbox/button_press_${press}/config`,
  zoneCount: 'homeassistant/sensor/relais_zone_shop/present_count/config',
  zoneOccupied: 'homeassistant/binary_sensor/relais_zone_shop/someone_present/config',
} as const

export const ALL_CONFIGS = [
  CONFIG.online('kitchen'),
  CONFIG.online('letterbox'),
  CONFIG.online('door'),
  CONFIG.lastScan,
  CONFIG.lastScanAt,
  CONFIG.pickup,
  CONFIG.trigger('single'),
  CONFIG.trigger('double'),
  CONFIG.trigger('long'),
  CONFIG.zoneCount,
  CONFIG.zoneOccupied,
]
