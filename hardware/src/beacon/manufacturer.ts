// Manufacturer specific data (AD type 0xFF; Bluetooth Core Supplement part A 1.4): a 16-bit company id,
// little-endian, then the company's bytes. Two beacon formats live here, told apart by bytes 2-3.
import { ALTBEACON_CODE_0, ALTBEACON_CODE_1, decodeAltBeacon } from './altbeacon.js'
import { u16le } from './bytes.js'
import { APPLE_COMPANY_ID, decodeIBeacon, IBEACON_LENGTH, IBEACON_TYPE } from './ibeacon.js'
import { type BeaconDecodeResult, failure } from './types.js'

const TRUNCATED = failure('mfg: truncated')
const NOT_A_BEACON = failure('mfg: not a beacon')

/** Decodes b[start, end) as manufacturer data. */
export function decodeManufacturerAt(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  // Company id and two bytes: the least that tells a beacon from anything else.
  if (end - start < 4) return TRUNCATED
  const b2 = b[start + 2]
  const b3 = b[start + 3]
  if (b2 === ALTBEACON_CODE_0 && b3 === ALTBEACON_CODE_1) return decodeAltBeacon(b, start, end)
  // 02 15 under another company is an iBeacon copied with the wrong id: say so rather than "not a beacon".
  if (b3 === IBEACON_LENGTH && b2 === IBEACON_TYPE) return decodeIBeacon(b, start, end)
  // Apple type 02 with another length byte: a malformed iBeacon. Other Apple types (continuity, Find My,
  // AirPods: most of what a reader hears) are simply not beacons.
  if (b2 === IBEACON_TYPE && u16le(b, start) === APPLE_COMPANY_ID) return decodeIBeacon(b, start, end)
  return NOT_A_BEACON
}

/** Manufacturer data alone, company id first (as BLE stacks such as noble hand it over). */
export function decodeManufacturerData(data: Uint8Array): BeaconDecodeResult {
  return decodeManufacturerAt(data, 0, data.length)
}
