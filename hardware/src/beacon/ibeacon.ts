// Apple iBeacon, carried as manufacturer specific data (AD type 0xFF). Layout of the manufacturer data,
// company id first (Apple, "Proximity Beacon Specification" R1; Bluetooth Core Supplement part A 1.4):
//   0-1   company id 0x004C, little-endian (bytes 4C 00)
//   2     type 0x02 (proximity beacon)
//   3     length 0x15: the 21 bytes that follow
//   4-19  proximity UUID
//   20-21 major, big-endian
//   22-23 minor, big-endian
//   24    measured power: RSSI at 1 m, signed
import { int8, u16be, u16le, uuidOf } from './bytes.js'
import { type BeaconDecodeResult, failure } from './types.js'

export const APPLE_COMPANY_ID = 0x004c
export const IBEACON_TYPE = 0x02
export const IBEACON_LENGTH = 0x15
/** Manufacturer data length, company id included. */
export const IBEACON_MFG_LENGTH = 4 + IBEACON_LENGTH

const WRONG_COMPANY = failure('ibeacon: wrong company id')
const WRONG_LENGTH = failure('ibeacon: wrong length byte')
const TRUNCATED = failure('ibeacon: truncated')
const OVER_LONG = failure('ibeacon: over-long')

/** b[start, end) is manufacturer data whose bytes 2-3 are 02 15 or whose company is Apple with type 02. */
export function decodeIBeacon(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  if (u16le(b, start) !== APPLE_COMPANY_ID) return WRONG_COMPANY
  // The length byte is part of the format: another value is another Apple type, not a longer iBeacon.
  if (b[start + 3] !== IBEACON_LENGTH) return WRONG_LENGTH
  const len = end - start
  if (len < IBEACON_MFG_LENGTH) return TRUNCATED
  if (len > IBEACON_MFG_LENGTH) return OVER_LONG
  return {
    ok: true,
    frame: {
      format: 'ibeacon',
      uuid: uuidOf(b, start + 4),
      major: u16be(b, start + 20),
      minor: u16be(b, start + 22),
      tx_power: int8(b, start + 24),
    },
  }
}
