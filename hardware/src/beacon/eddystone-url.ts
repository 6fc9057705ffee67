// Eddystone-URL (google/eddystone, eddystone-url/README.md):
//   0  frame type 0x10
//   1  Tx power at 0 m, signed
//   2  URL scheme prefix 0x00-0x03
//   3+ encoded URL, 0-17 bytes: printable ASCII 0x21-0x7E, or 0x00-0x0D for a text expansion
import { int8 } from './bytes.js'
import { type BeaconDecodeResult, failure } from './types.js'

export const EDDYSTONE_URL = 0x10
export const URL_SCHEMES = ['http://www.', 'https://www.', 'http://', 'https://'] as const
export const URL_EXPANSIONS = [
  '.com/',
  '.org/',
  '.edu/',
  '.net/',
  '.info/',
  '.biz/',
  '.gov/',
  '.com',
  '.org',
  '.edu',
  '.net',
  '.info',
  '.biz',
  '.gov',
] as const
export const URL_MAX_ENCODED = 17

const TRUNCATED = failure('eddystone-url: truncated')
const OVER_LONG = failure('eddystone-url: over-long')
const UNKNOWN_SCHEME = failure('eddystone-url: unknown scheme')
const INVALID_BYTE = failure('eddystone-url: invalid URL byte')

/** b[start, end) is Eddystone service data whose first byte is 0x10. */
export function decodeEddystoneUrl(b: Uint8Array, start: number, end: number): BeaconDecodeResult {
  const len = end - start
  if (len < 3) return TRUNCATED
  if (len > 3 + URL_MAX_ENCODED) return OVER_LONG
  const scheme = b[start + 2]!
  if (scheme >= URL_SCHEMES.length) return UNKNOWN_SCHEME
  // Check every byte before building the string: a rejected frame costs no allocation.
  // 0x0E-0x20 and 0x7F-0xFF are "Reserved for Future Use" (and not URL characters, RFC 2936).
  for (let i = start + 3; i < end; i++) {
    const c = b[i]!
    if (c > 0x7e || (c > 0x0d && c < 0x21)) return INVALID_BYTE
  }
  let url: string = URL_SCHEMES[scheme]!
  for (let i = start + 3; i < end; i++) {
    const c = b[i]!
    url += c <= 0x0d ? URL_EXPANSIONS[c]! : String.fromCharCode(c)
  }
  return { ok: true, frame: { format: 'eddystone-url', url, tx_power: int8(b, start + 1) } }
}
