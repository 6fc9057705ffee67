// The beacon bench's population, shared by the throughput run and the agent process: `allowed` opted-in
// beacons and `others` around them (iBeacon, Eddystone-UID, AltBeacon, a few rotating EIDs), each with
// its raw advertising bytes from the contract's encoder. Seeded, so every run hears the same crowd.
import { type BeaconFrame, beaconKey, encodeAdvertisement } from '@relais/hardware'

export interface BenchBeacon {
  key?: string
  allowed: boolean
  address: string
  data: Uint8Array
  /** Mean RSSI at the reader (allowed ones close, the others anywhere in range). */
  rssi: number
}

function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function population(allowed: number, others: number, seed = 1): BenchBeacon[] {
  const rnd = seeded(seed)
  const hex = (n: number) =>
    Array.from({ length: n }, () =>
      Math.floor(rnd() * 256)
        .toString(16)
        .padStart(2, '0'),
    ).join('')
  const out: BenchBeacon[] = []
  for (let i = 0; i < allowed + others; i++) {
    const r = rnd()
    let frame: BeaconFrame
    if (r < 0.5)
      frame = {
        format: 'ibeacon',
        uuid: `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
        major: i % 65536,
        minor: Math.floor(rnd() * 65536),
        tx_power: -59,
      }
    else if (r < 0.8) frame = { format: 'eddystone-uid', namespace: hex(10), instance: hex(6), tx_power: -18 }
    else if (r < 0.95 || i < allowed)
      frame = { format: 'altbeacon', company_id: 0x0118, beacon_id: hex(20), tx_power: -59, mfg_reserved: 0 }
    else frame = { format: 'eddystone-eid', eid: hex(8), tx_power: -18 }
    out.push({
      key: beaconKey(frame),
      allowed: i < allowed,
      address: Array.from({ length: 6 }, () => hex(1)).join(':'),
      data: encodeAdvertisement(frame),
      rssi: i < allowed ? -60 : -70 - Math.floor(rnd() * 25),
    })
  }
  return out
}

/** A seeded stream of `n` (beacon index, rssi) pairs: every beacon in turn, noisy RSSI. */
export function sightings(
  beacons: BenchBeacon[],
  n: number,
  seed = 2,
): { index: Int32Array; rssi: Int8Array } {
  const rnd = seeded(seed)
  const index = new Int32Array(n)
  const rssi = new Int8Array(n)
  for (let i = 0; i < n; i++) {
    const b = Math.floor(rnd() * beacons.length)
    index[i] = b
    rssi[i] = Math.max(-127, Math.min(20, beacons[b]!.rssi + Math.round((rnd() - 0.5) * 8)))
  }
  return { index, rssi }
}
