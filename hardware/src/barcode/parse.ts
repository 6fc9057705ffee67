// parseBarcode: what a scanned or typed code is, and the one key it is filed under. Never "corrects":
// a wrong check digit stays wrong (valid false, key null), and a code that is not a GTIN is kept as a
// plain code (key = the code) rather than padded, trimmed or reinterpreted into one.
import { splitAim } from './aim.js'
import { checkDigitError } from './check-digit.js'
import { GS, isBracketed, parseBracketed, parseElementString, toBracketed } from './gs1.js'
import { isRestricted } from './restricted.js'
import type { BarcodeInfo, ParseBarcodeOptions, Symbology } from './types.js'
import { expandUpce } from './upce.js'

type GtinSymbology = Exclude<Symbology, 'plain'>

/** What the input became after trimming and AIM stripping, carried into every result. */
interface Read {
  code: string
  data: string
  aim?: string
}

// Whitespace, separators and control/format characters anywhere inside the code; GS (FNC1) is allowed
// because it separates GS1 fields.
const BAD_CHAR = /(?!\x1d)[\s\p{Z}\p{C}]/u

export function parseBarcode(input: string, opts: ParseBarcodeOptions = {}): BarcodeInfo {
  const text = input.trim()
  if (text === '') return unusable({ code: input, data: text }, 'empty code')
  const bad = BAD_CHAR.exec(text)
  if (bad !== null) {
    const ch = bad[0]
    const what = /[\s\p{Z}]/u.test(ch) ? 'whitespace' : 'a control or format character'
    const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    const offset = input.length - input.trimStart().length + bad.index
    return unusable({ code: input, data: text }, `contains ${what} (U+${hex}) at offset ${offset}`)
  }
  const { aim, data, reading } = splitAim(text)
  const read: Read = aim === undefined ? { code: input, data } : { code: input, data, aim }
  if (data === '') return unusable(read, `nothing after the AIM identifier ${aim}`)
  // A GS1 element string only when something says so; a bare "01..." digit run is left alone.
  if (reading === 'gs1' || isBracketed(data) || data.includes(GS)) return fromElementString(read)
  if (!/^\d+$/.test(data)) return plain(read, 'not a GTIN: not all digits')
  const eight = reading === 'auto' ? opts.hint : reading
  return fromDigits(read, eight)
}

function fromDigits(read: Read, eight: 'upce' | 'ean8' | undefined): BarcodeInfo {
  const digits = read.data
  switch (digits.length) {
    case 14:
      return gtinShaped(read, 'gtin14', digits, digits)
    case 13:
      return gtinShaped(read, 'ean13', digits, digits)
    case 12:
      return gtinShaped(read, 'upca', digits, digits)
    case 8:
      return fromEightDigits(read, eight)
    case 7:
    case 6:
      // 6 digits: the zero-suppressed part alone; 7: number system + those 6. Both without check digit.
      if (expandUpce(digits) === undefined) {
        return plain(read, `not a GTIN: ${digits.length} digits (a UPC-E number system is 0 or 1)`)
      }
      return upce(read)
    default:
      return plain(read, `not a GTIN: ${digits.length} digits`)
  }
}

/**
 * EAN-8 and UPC-E (number system + 6 + check) are both 8 digits. A scanner's AIM id or the caller's hint
 * decides; otherwise EAN-8 when its check digit fits, else UPC-E when that check digit fits, else an
 * invalid EAN-8.
 */
function fromEightDigits(read: Read, eight: 'upce' | 'ean8' | undefined): BarcodeInfo {
  const digits = read.data
  if (eight === 'upce') return upce(read)
  const ean8Error = checkDigitError(digits)
  if (ean8Error === undefined || eight === 'ean8') return gtinShaped(read, 'ean8', digits, digits)
  const asUpca = expandUpce(digits)
  if (asUpca !== undefined && checkDigitError(asUpca) === undefined) return upce(read)
  const also = asUpca === undefined ? '' : ' (nor a valid UPC-E)'
  return invalid(read, 'ean8', `${ean8Error}${also}`)
}

function upce(read: Read): BarcodeInfo {
  const upca = expandUpce(read.data)
  if (upca === undefined) return invalid(read, 'upce', 'UPC-E number system must be 0 or 1')
  // The UPC-E check digit is the UPC-A's: it is computed over the expanded number (GS1 GenSpecs §7.10).
  if (read.data.length === 8) {
    const bad = checkDigitError(upca)
    if (bad !== undefined) return invalid(read, 'upce', `UPC-E ${bad}`)
  }
  return valid(read, 'upce', upca.padStart(14, '0'))
}

/** `digits` has the length of its symbology and a check digit to verify. */
function gtinShaped(read: Read, symbology: GtinSymbology, digits: string, display: string): BarcodeInfo {
  const bad = checkDigitError(digits)
  if (bad !== undefined) return invalid(read, symbology, bad, display)
  return valid(read, symbology, digits.padStart(14, '0'))
}

function fromElementString(read: Read): BarcodeInfo {
  const parsed = isBracketed(read.data) ? parseBracketed(read.data) : parseElementString(read.data)
  if (!parsed.ok) return unusable(read, `GS1 element string: ${parsed.error}`)
  const ai = parsed.ai
  const which = ai['01'] !== undefined ? '01' : ai['02'] !== undefined ? '02' : undefined
  if (which === undefined) {
    // Well formed but identifies no trade item (an SSCC label, a coupon...). Filed under its bracketed
    // form so the GS-separated and the parenthesised spelling of the same string share one key.
    const hri = toBracketed(parsed.fields)
    return make(read, 'plain', hri, hri, { error: 'not a GTIN: no AI 01 or 02', ai })
  }
  const gtin = ai[which]!
  // Both GTIN AIs carry a check digit; a wrong one makes the whole reading untrustworthy.
  for (const k of ['01', '02'] as const) {
    const bad = ai[k] === undefined ? undefined : checkDigitError(ai[k])
    if (bad !== undefined) return { ...invalid(read, 'gtin14', `AI ${k}: ${bad}`, gtin14Display(gtin)), ai }
  }
  return { ...valid(read, 'gtin14', gtin), ai }
}

/** A GTIN-14 reads as 13 digits when its indicator digit is 0 (it is then a GTIN-13 or shorter). */
function gtin14Display(gtin14: string): string {
  return gtin14[0] === '0' ? gtin14.slice(1) : gtin14
}

const DISPLAY_LENGTH: Record<Exclude<GtinSymbology, 'gtin14'>, number> = {
  ean13: 13,
  upca: 12,
  upce: 12,
  ean8: 8,
}

function valid(read: Read, symbology: GtinSymbology, gtin: string): BarcodeInfo {
  const display = symbology === 'gtin14' ? gtin14Display(gtin) : gtin.slice(14 - DISPLAY_LENGTH[symbology])
  return make(read, symbology, display, gtin, { valid: true, gtin, restricted: isRestricted(gtin) })
}

/** GTIN-shaped, but the check digit (or UPC-E number system) is wrong: not filed, never fixed. */
function invalid(read: Read, symbology: GtinSymbology, error: string, display = read.data): BarcodeInfo {
  return make(read, symbology, display, null, { error })
}

/** Not a GTIN, kept as it is: filed under the code itself. */
function plain(read: Read, error: string): BarcodeInfo {
  return make(read, 'plain', read.data, read.data, { error })
}

/** Cannot be filed at all: empty, stray whitespace or control characters, a broken GS1 string. */
function unusable(read: Read, error: string): BarcodeInfo {
  return make(read, 'plain', read.data, null, { error })
}

function make(
  read: Read,
  symbology: Symbology,
  display: string,
  key: string | null,
  more: Pick<BarcodeInfo, 'error' | 'restricted' | 'ai'> & { valid?: true; gtin?: string },
): BarcodeInfo {
  const info: BarcodeInfo = { code: read.code, valid: false, gtin: null, symbology, display, key }
  if (read.aim !== undefined) info.aim = read.aim
  return Object.assign(info, more)
}
