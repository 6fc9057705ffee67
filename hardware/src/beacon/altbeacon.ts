// AltBeacon v1.0 (github.com/AltBeacon/spec, "AltBeacon Protocol Fields"), manufacturer specific data of
// any company. Layout of the manufacturer data, company id first:
//   0-1   MFG ID, little-endian
//   2-3   BEACON CODE 0xBEAC (bytes BE AC)
//   4-23  BEACON ID, 20 bytes, big-endian
//   24    REFERENCE RSSI: average RSSI at 1 m, signed
//   25    MFG RESERVED, interpreted per MFG ID
// The AD length byte must be 0x1B (27 = type + these 26 bytes), so the length is exact.
import { hexOf, int8, u16le } from './bytes.js'
import { type BeaconDecodeResult, failure } from './types.js'

export const ALTBEACON_CODE_0 = 0xbe
export const ALTBEACON_CODE_1 = 0xac
/** Manufacturer data length, company id included. */
export const ALTBEACON_MFG_LENGTH = 26

const TRUNCATED = failure('altbeacon: truncated')
const OVER_LONG = failure('altbeacon: over-long')

/** b[start, end) is manufacturer data whose bytes 2-3 are BE AC. */
export function decodeAltBeacon(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  const len = end - start
  if (len < ALTBEACON_MFG_LENGTH) return TRUNCATED
  if (len > ALTBEACON_MFG_LENGTH) return OVER_LONG
  return {
    ok: true,
    frame: {
      format: 'altbeacon',
      company_id: u16le(b, start),
      beacon_id: hexOf(b, start + 4, start + 24),
      tx_power: int8(b, start + 24),
      mfg_reserved: b[start + 25]!,
    },
  }
}
