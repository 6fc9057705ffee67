// Letterboxes with pickup buttons around Paris, and what their owners press: a single to ask for a
// pickup, sometimes a second single (did it work?), sometimes a long press to take it back, now and then
// a double to see the status. Seeded, so a test or a demo sees the same city every time.

import type { PressKind } from '@relais/hardware'

export interface SimSite {
  id: string
  name: string
  address: string
  lat: number
  lon: number
}

const STREETS = [
  'rue de Rivoli',
  'rue Oberkampf',
  'boulevard Voltaire',
  'rue de la Roquette',
  'rue du Faubourg Saint-Antoine',
  'avenue de la République',
  'rue de Charonne',
  'rue des Pyrénées',
  'rue de Belleville',
  'rue Saint-Maur',
  'boulevard de Magenta',
  'rue La Fayette',
  'rue de Vaugirard',
  'rue de Rennes',
  'boulevard Saint-Germain',
  'rue Mouffetard',
  "rue d'Alésia",
  'avenue du Maine',
  'rue de la Convention',
  'rue Caulaincourt',
]

/** A seeded generator (mulberry32): the same seed, the same sites and presses. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The Paris depot the demo and the tests use (near Châtelet). */
export const PARIS_DEPOT = {
  id: 'paris-1',
  name: 'Paris Châtelet',
  address: '1 place du Châtelet',
  lat: 48.8576,
  lon: 2.347,
}

/** `count` sites inside the Périphérique (about 12 x 10 km), ids `<prefix>-<k>`. */
export function parisSites(count: number, seed = 1, prefix = 'site'): SimSite[] {
  const random = seeded(seed)
  return Array.from({ length: count }, (_, k) => {
    const street = STREETS[Math.floor(random() * STREETS.length)]!
    const number = 1 + Math.floor(random() * 120)
    return {
      id: `${prefix}-${k}`,
      name: `${number} ${street}`,
      address: `${number} ${street}, Paris`,
      lat: Number((48.829 + random() * 0.06).toFixed(6)),
      lon: Number((2.28 + random() * 0.13).toFixed(6)),
    }
  })
}

export interface SitePresses {
  site: string
  /** In order: a single first; a second single (the same request comes back); a long press to cancel. */
  presses: PressKind[]
  /** Its request ends open (not cancelled), so it belongs on the courier's round. */
  open: boolean
}

export interface PickupPlanOptions {
  sites: readonly string[]
  /** Share of sites that press a second time (default 0.2). */
  repeatShare?: number
  /** Share of sites that cancel with a long press after asking (default 0.15). */
  cancelShare?: number
  random?: () => number
}

/** Every site asks for a pickup once; some ask twice, some cancel. At least one of each when possible. */
export function pickupPlan(o: PickupPlanOptions): SitePresses[] {
  const random = o.random ?? seeded(7)
  const repeat = Math.max(1, Math.round(o.sites.length * (o.repeatShare ?? 0.2)))
  const cancel = Math.max(1, Math.round(o.sites.length * (o.cancelShare ?? 0.15)))
  // A seeded shuffle decides who repeats and who cancels; some do both (ask twice, then cancel).
  const order = o.sites.map((s) => ({ s, r: random() })).sort((a, b) => a.r - b.r)
  const repeats = new Set(order.slice(0, repeat).map((x) => x.s))
  const cancels = new Set(order.slice(Math.max(0, repeat - 1), repeat - 1 + cancel).map((x) => x.s))
  return o.sites.map((site) => {
    const presses: PressKind[] = ['single']
    if (repeats.has(site)) presses.push('single')
    if (cancels.has(site)) presses.push('long')
    return { site, presses, open: !cancels.has(site) }
  })
}

export interface DemoPress {
  /** Index of the button that presses. */
  button: number
  press: PressKind
  /** Pause before this press, ms. */
  pauseMs: number
}

/** An endless demo: buttons pressing now and then, mostly to ask, sometimes to check or to cancel. */
export function* pickupDemoScenario(o: {
  buttons: number
  meanPauseMs: number
  random?: () => number
}): Generator<DemoPress> {
  const random = o.random ?? Math.random
  for (;;) {
    const button = Math.floor(random() * o.buttons)
    const r = random()
    const press: PressKind = r < 0.75 ? 'single' : r < 0.9 ? 'double' : 'long'
    yield { button, press, pauseMs: Math.round(o.meanPauseMs * (0.3 + 1.4 * random())) }
  }
}
