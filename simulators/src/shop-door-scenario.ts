// A shop door with a beacon reader: a few customers who opted in (their beacons on the reader's
// allow-list) and many other beacons (phones, tags, other shops' beacons) walking past. Each walker
// approaches, lingers for a while, and leaves; some only linger at the edge of range. RSSI follows the
// log-distance model with Gaussian noise, and advertisements are real bytes (encodeAdvertisement, the
// contract package's encoder), so the reader decodes exactly what it would hear. Seeded: the same seed,
// the same afternoon.
import type { Advertisement, Clock, SimulatedAdvertisementSource } from '@relais/edge'
import { type BeaconFrame, beaconKey, encodeAdvertisement, measuredPower } from '@relais/hardware'
import { seeded } from './pickup-scenario.js'

export type WalkKind = 'visit' | 'pass-by' | 'edge'

export interface SimBeacon {
  frame: BeaconFrame
  /** Identity key (kinds/beacon.ts), when the frame is an identity. */
  key?: string
  optedIn: boolean
  kind: WalkKind
  /** Advertising address (random, as phones use). */
  address: string
  /** ms from the scenario start. */
  arriveMs: number
  lingerMs: number
  /** Closest distance (m) during the linger. */
  closestM: number
}

export interface ShopDoorOptions {
  /** Opted-in customers (default 3): they visit the shop, but the third lingers at the edge of range. */
  optedIn?: number
  /** Other beacons walking past or lingering (default 40). */
  others?: number
  /** The afternoon's length (ms, default 10 minutes). */
  durationMs?: number
  /** Advertising interval of every beacon (ms, default 1000). */
  intervalMs?: number
  /** RSSI noise, standard deviation (dB, default 4). */
  noiseDb?: number
  /** Path-loss exponent of the shop (default 2.5). */
  pathLoss?: number
  seed?: number
}

export interface ShopDoorScenario {
  beacons: SimBeacon[]
  /** Keys of the opted-in beacons: the reader's allow-list. */
  allow: string[]
  /** Every advertisement in time order; `at` is ms from the start. */
  advertisements: Array<Omit<Advertisement, 'at'> & { at: number }>
}

/** How long a walker takes to come in from far away, and to walk away again (ms). */
export const APPROACH_MS = 8_000
const FAR_M = 25

const hex = (rnd: () => number, bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(rnd() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('')

function frameFor(rnd: () => number, i: number): BeaconFrame {
  const r = rnd()
  if (r < 0.5)
    return {
      format: 'ibeacon',
      uuid: `${hex(rnd, 4)}-${hex(rnd, 2)}-${hex(rnd, 2)}-${hex(rnd, 2)}-${hex(rnd, 6)}`,
      major: i % 65536,
      minor: Math.floor(rnd() * 65536),
      tx_power: -59,
    }
  if (r < 0.75)
    return { format: 'eddystone-uid', namespace: hex(rnd, 10), instance: hex(rnd, 6), tx_power: -18 }
  if (r < 0.9)
    return {
      format: 'altbeacon',
      company_id: 0x0118,
      beacon_id: hex(rnd, 20),
      tx_power: -59,
      mfg_reserved: 0,
    }
  // Rotating identifiers are never identities: they can only be counted, never allowed.
  return { format: 'eddystone-eid', eid: hex(rnd, 8), tx_power: -18 }
}

function gauss(rnd: () => number, sd: number): number {
  const u = Math.max(1e-12, rnd())
  return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd())
}

/** Distance (m) of a walker at `t` ms from the start: far, approaching, lingering, walking away. */
function distanceAt(b: SimBeacon, t: number): number {
  const s = t - b.arriveMs
  const leaveAt = APPROACH_MS + b.lingerMs
  if (s < 0 || s > leaveAt + APPROACH_MS) return Number.POSITIVE_INFINITY
  if (s < APPROACH_MS) return FAR_M - ((FAR_M - b.closestM) * s) / APPROACH_MS
  if (s <= leaveAt) return b.closestM
  return b.closestM + ((FAR_M - b.closestM) * (s - leaveAt)) / APPROACH_MS
}

export function shopDoorScenario(o: ShopDoorOptions = {}): ShopDoorScenario {
  const rnd = seeded(o.seed ?? 1)
  const duration = o.durationMs ?? 10 * 60_000
  const interval = o.intervalMs ?? 1000
  const noise = o.noiseDb ?? 4
  const n = o.pathLoss ?? 2.5
  const beacons: SimBeacon[] = []
  const total = (o.optedIn ?? 3) + (o.others ?? 40)
  for (let i = 0; i < total; i++) {
    const optedIn = i < (o.optedIn ?? 3)
    const frame: BeaconFrame = optedIn
      ? {
          format: 'ibeacon',
          uuid: 'f7826da6-4fa2-4e98-8024-bc5b71e0893e',
          major: 100,
          minor: i + 1,
          tx_power: -59,
        }
      : frameFor(rnd, i)
    const r = rnd()
    const kind: WalkKind = optedIn
      ? i === 2
        ? 'edge'
        : 'visit'
      : r < 0.4
        ? 'visit'
        : r < 0.8
          ? 'pass-by'
          : 'edge'
    const lingerMs =
      kind === 'visit'
        ? 60_000 + rnd() * 120_000
        : kind === 'pass-by'
          ? rnd() * 3_000
          : 60_000 + rnd() * 60_000
    // Visitors come to the counter (1-2 m); people passing stay on the pavement (4-8 m); 'edge' ones
    // stand where the signal sits between the reader's default thresholds (-75 and -85 dBm: 6-8 m).
    const closestM = kind === 'visit' ? 1 + rnd() : kind === 'pass-by' ? 4 + rnd() * 4 : 6 + rnd() * 2
    const span = 2 * APPROACH_MS + lingerMs
    beacons.push({
      frame,
      key: beaconKey(frame),
      optedIn,
      kind,
      address: Array.from({ length: 6 }, () => hex(rnd, 1)).join(':'),
      arriveMs: Math.floor(rnd() * Math.max(1, duration - span)),
      lingerMs: Math.round(lingerMs),
      closestM,
    })
  }
  const advertisements: ShopDoorScenario['advertisements'] = []
  for (const b of beacons) {
    const data = encodeAdvertisement(b.frame)
    const at1m = measuredPower(b.frame) ?? -59
    const phase = Math.floor(rnd() * interval)
    for (
      let t = b.arriveMs + phase;
      t < Math.min(duration, b.arriveMs + 2 * APPROACH_MS + b.lingerMs);
      t += interval
    ) {
      const d = distanceAt(b, t)
      if (!Number.isFinite(d)) continue
      const rssi = Math.round(at1m - 10 * n * Math.log10(Math.max(0.1, d)) + gauss(rnd, noise))
      // Below the radio's sensitivity, or lost (about 1 in 10 advertisements is never heard).
      if (rssi < -100 || rnd() < 0.1) continue
      advertisements.push({ address: b.address, rssi: Math.max(-127, Math.min(20, rssi)), at: t, data })
    }
  }
  advertisements.sort((a, b) => a.at - b.at)
  return { beacons, allow: beacons.filter((b) => b.optedIn && b.key).map((b) => b.key!), advertisements }
}

/**
 * Plays a scenario into a simulated source on `clock`, starting now; returns a stop function. Each
 * advertisement is heard at start + its offset.
 */
export function playShopDoor(
  source: SimulatedAdvertisementSource,
  s: ShopDoorScenario,
  clock: Clock,
): () => void {
  const start = clock.now()
  let i = 0
  let handle: unknown
  let stopped = false
  const next = () => {
    if (stopped || i >= s.advertisements.length) return
    handle = clock.setTimeout(
      () => {
        const now = clock.now()
        while (i < s.advertisements.length && start + s.advertisements[i]!.at <= now) {
          const a = s.advertisements[i++]!
          source.push({ ...a, at: start + a.at })
        }
        next()
      },
      Math.max(0, start + s.advertisements[i]!.at - clock.now()),
    )
  }
  next()
  return () => {
    stopped = true
    clock.clearTimeout(handle)
  }
}
