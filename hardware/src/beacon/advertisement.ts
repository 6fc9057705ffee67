// A raw advertising (or scan response) payload: a sequence of AD structures (Bluetooth Core 5.4,
// Vol 3, Part C, section 11): a length octet, then that many octets: the AD type and its data.
// "If the Length field is set to zero ... This shall only occur to allow an early termination": a zero
// length ends the payload (controllers pad to 31 bytes with zeros). A length that runs past the end is
// a damaged payload and rejected whole, even if a beacon was read before it: never a guess.
// Beacons sit in two AD types (Core Supplement part A): manufacturer specific data 0xFF (iBeacon,
// AltBeacon) and service data with a 16-bit UUID 0x16, UUID little-endian (Eddystone, 0xFEAA).
// Everything else (flags, names, service lists, tx power) is skipped.
import { u16le } from './bytes.js'
import { decodeEddystoneAt, EDDYSTONE_SERVICE_UUID } from './eddystone.js'
import { decodeManufacturerAt } from './manufacturer.js'
import { type BeaconDecodeFailure, type BeaconDecodeResult, failure } from './types.js'

export const AD_MANUFACTURER_SPECIFIC = 0xff
export const AD_SERVICE_DATA_16 = 0x16

const EMPTY = failure('ad: empty')
const OVERRUN = failure('ad: structure runs past the end')
const NO_BEACON = failure('ad: no beacon data')

/**
 * The first beacon frame in the payload. When no structure holds one, the first specific rejection of
 * a structure that was meant as a beacon (an iBeacon cut short, an unknown Eddystone frame); manufacturer
 * data of other kinds (phones, watches, headphones) only make it "no beacon data".
 */
export function decodeAdvertisement(payload: Uint8Array): BeaconDecodeResult {
  const b = payload
  const end = b.length
  let found: BeaconDecodeResult | undefined
  let rejected: BeaconDecodeFailure | undefined
  let structures = 0
  let i = 0
  while (i < end) {
    const len = b[i]!
    if (len === 0) break
    const next = i + 1 + len
    if (next > end) return OVERRUN
    structures++
    if (found === undefined) {
      const type = b[i + 1]
      let r: BeaconDecodeResult | undefined
      if (type === AD_MANUFACTURER_SPECIFIC) r = decodeManufacturerAt(b, i + 2, next)
      else if (type === AD_SERVICE_DATA_16 && len >= 3 && u16le(b, i + 2) === EDDYSTONE_SERVICE_UUID)
        r = decodeEddystoneAt(b, i + 4, next)
      if (r !== undefined) {
        if (r.ok) found = r
        else if (rejected === undefined && r.reason !== 'mfg: not a beacon' && r.reason !== 'mfg: truncated')
          rejected = r
      }
    }
    i = next
  }
  if (found !== undefined) return found
  if (rejected !== undefined) return rejected
  return structures === 0 ? EMPTY : NO_BEACON
}
