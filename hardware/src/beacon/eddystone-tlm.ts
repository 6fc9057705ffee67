// Eddystone-TLM, frame type 0x20; the version byte says which layout follows (google/eddystone,
// eddystone-tlm/). All multi-byte values big-endian.
//   version 0x00, tlm-plain.md, exactly 14 bytes:
//     2-3 VBATT mV (0: not supported), 4-5 TEMP signed 8.8 (0x8000: not supported),
//     6-9 ADV_CNT, 10-13 SEC_CNT in 0.1 s
//   version 0x01, tlm-encrypted.md, exactly 18 bytes:
//     2-13 ETLM, 14-15 SALT, 16-17 MIC
import { hexOf, u16be, u32be } from './bytes.js'
import { type BeaconDecodeResult, failure } from './types.js'

export const EDDYSTONE_TLM = 0x20
export const TLM_PLAIN_LENGTH = 14
export const TLM_ENCRYPTED_LENGTH = 18
export const TEMPERATURE_NOT_SUPPORTED = 0x8000

const TRUNCATED = failure('eddystone-tlm: truncated')
const OVER_LONG = failure('eddystone-tlm: over-long')
const UNKNOWN_VERSION = failure('eddystone-tlm: unknown version')
const E_TRUNCATED = failure('eddystone-etlm: truncated')
const E_OVER_LONG = failure('eddystone-etlm: over-long')

/** b[start, end) is Eddystone service data whose first byte is 0x20. */
export function decodeEddystoneTlm(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  const len = end - start
  if (len < 2) return TRUNCATED
  const version = b[start + 1]
  if (version === 0x01) {
    if (len < TLM_ENCRYPTED_LENGTH) return E_TRUNCATED
    if (len > TLM_ENCRYPTED_LENGTH) return E_OVER_LONG
    return {
      ok: true,
      frame: {
        format: 'eddystone-etlm',
        etlm: hexOf(b, start + 2, start + 14),
        salt: hexOf(b, start + 14, start + 16),
        mic: hexOf(b, start + 16, start + 18),
      },
    }
  }
  if (version !== 0x00) return UNKNOWN_VERSION
  // "The length of this frame is fixed and must be truncated after the time since power-on bytes."
  if (len < TLM_PLAIN_LENGTH) return TRUNCATED
  if (len > TLM_PLAIN_LENGTH) return OVER_LONG
  const mv = u16be(b, start + 2)
  const temp = u16be(b, start + 4)
  const secCount = u32be(b, start + 10)
  return {
    ok: true,
    frame: {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: mv === 0 ? null : mv,
      // Signed 8.8 fixed point: the int16 over 256, so 0xFF80 is -0.5 degrees.
      temperature_c:
        temp === TEMPERATURE_NOT_SUPPORTED ? null : (temp > 0x7fff ? temp - 0x10000 : temp) / 256,
      adv_count: u32be(b, start + 6),
      sec_count: secCount,
      uptime_s: secCount / 10,
    },
  }
}
