// Beacons for the reader's tests: identities, their advertising bytes (the contract package's encoder),
// and scripted walks of RSSI readings.
import { encodeAdvertisement, type IBeaconFrame } from '@relais/hardware'
import type { Advertisement } from '../../src/drivers/beacon/types.js'

export const UUID = 'f7826da6-4fa2-4e98-8024-bc5b71e0893e'

export function ibeacon(major: number, minor: number, txPower = -59): IBeaconFrame {
  return { format: 'ibeacon', uuid: UUID, major, minor, tx_power: txPower }
}

export const keyOf = (f: IBeaconFrame) => `ibeacon:${f.uuid.replaceAll('-', '')}:${f.major}:${f.minor}`

export function advert(
  f: IBeaconFrame,
  rssi: number,
  at: number,
  address = `aa:bb:cc:00:${f.minor}`,
): Advertisement {
  return { address, rssi, at, data: encodeAdvertisement(f) }
}

/** A seeded generator (mulberry32), so noise is the same on every run. */
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

/** Gaussian noise (Box-Muller) of standard deviation `sd` from `rnd`. */
export function gauss(rnd: () => number, sd: number): number {
  const u = Math.max(1e-12, rnd())
  return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd())
}
