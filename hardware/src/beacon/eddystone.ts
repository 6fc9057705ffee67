// Eddystone (google/eddystone, protocol-specification.md): service data for the 16-bit service UUID
// 0xFEAA; the first byte of the service data is the frame type. UID and EID are here, URL and TLM in
// their own files.
//   UID 0x00 (eddystone-uid/README.md): 1 Tx power at 0 m, 2-11 namespace, 12-17 instance,
//       18-19 RFU. Frames without the RFU bytes (service data length 0x15) are still common, so 18 or
//       20 bytes. The RFU bytes "must be 0x00"; a receiver ignores reserved bits, so they are not checked.
//   EID 0x30 (eddystone-eid/README.md): 1 Tx power at 0 m, 2-9 ephemeral id; "fixed and shall be
//       truncated after the EID bytes", so exactly 10.
import { hexOf, int8 } from './bytes.js'
import { decodeEddystoneTlm, EDDYSTONE_TLM } from './eddystone-tlm.js'
import { decodeEddystoneUrl, EDDYSTONE_URL } from './eddystone-url.js'
import { type BeaconDecodeResult, failure } from './types.js'

export const EDDYSTONE_SERVICE_UUID = 0xfeaa
export const EDDYSTONE_UID = 0x00
export const EDDYSTONE_EID = 0x30
export const UID_LENGTH = 18
export const UID_LENGTH_WITH_RFU = 20
export const EID_LENGTH = 10

const EMPTY = failure('eddystone: empty')
const UNKNOWN_FRAME = failure('eddystone: unknown frame type')
const UID_TRUNCATED = failure('eddystone-uid: truncated')
const UID_OVER_LONG = failure('eddystone-uid: over-long')
const EID_TRUNCATED = failure('eddystone-eid: truncated')
const EID_OVER_LONG = failure('eddystone-eid: over-long')

/** Decodes b[start, end) as Eddystone service data (frame type first, UUID already stripped). */
export function decodeEddystoneAt(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  if (end <= start) return EMPTY
  switch (b[start]) {
    case EDDYSTONE_UID:
      return decodeUid(b, start, end)
    case EDDYSTONE_URL:
      return decodeEddystoneUrl(b, start, end)
    case EDDYSTONE_TLM:
      return decodeEddystoneTlm(b, start, end)
    case EDDYSTONE_EID:
      return decodeEid(b, start, end)
    default:
      // 0x40 (E2EE-EID) and 0x50 and on are later or vendor frames: not beacons we read.
      return UNKNOWN_FRAME
  }
}

/** Eddystone service data alone, frame type first (as noble's serviceData entry for 'feaa'). */
export function decodeEddystone(serviceData: Uint8Array): BeaconDecodeResult {
  return decodeEddystoneAt(serviceData, 0, serviceData.length)
}

function decodeUid(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  const len = end - start
  // 19 bytes is a frame cut inside its RFU: truncated, not a short frame with one extra byte.
  if (len < UID_LENGTH || len === UID_LENGTH + 1) return UID_TRUNCATED
  if (len > UID_LENGTH_WITH_RFU) return UID_OVER_LONG
  return {
    ok: true,
    frame: {
      format: 'eddystone-uid',
      namespace: hexOf(b, start + 2, start + 12),
      instance: hexOf(b, start + 12, start + 18),
      tx_power: int8(b, start + 1),
    },
  }
}

function decodeEid(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  const len = end - start
  if (len < EID_LENGTH) return EID_TRUNCATED
  if (len > EID_LENGTH) return EID_OVER_LONG
  return {
    ok: true,
    frame: { format: 'eddystone-eid', eid: hexOf(b, start + 2, start + 10), tx_power: int8(b, start + 1) },
  }
}
