// UPC-E is a GTIN-12 with zeros suppressed (GS1 General Specifications §2.1.3.3, GTIN-12 carried by a
// UPC-E barcode; conversion rules in §7.10). Its six encoded digits d1..d6 expand by the last digit:
//   d6 0-2: manufacturer d1 d2 d6 0 0, item 0 0 d3 d4 d5
//   d6 3:   manufacturer d1 d2 d3 0 0, item 0 0 0 d4 d5
//   d6 4:   manufacturer d1 d2 d3 d4 0, item 0 0 0 0 d5
//   d6 5-9: manufacturer d1 d2 d3 d4 d5, item 0 0 0 0 d6
// The number system digit in front and the check digit behind are those of the UPC-A. GS1 only assigns
// number system 0 to UPC-E; 1 is accepted because scanners and older US labels use it.
import { gtinCheckDigit } from './check-digit.js'

/** The ten digits between number system and check digit of the UPC-A that `d` (6 digits) stands for. */
function expandBody(d: string): string {
  const last = d[5]!
  switch (last) {
    case '0':
    case '1':
    case '2':
      return `${d.slice(0, 2)}${last}0000${d.slice(2, 5)}`
    case '3':
      return `${d.slice(0, 3)}00000${d.slice(3, 5)}`
    case '4':
      return `${d.slice(0, 4)}00000${d[4]}`
    default:
      return `${d.slice(0, 5)}0000${last}`
  }
}

/**
 * 6, 7 or 8 digit UPC-E -> 12-digit UPC-A; undefined if not expandable (not 6-8 digits, or a number system
 * other than 0 or 1). 6 digits: number system 0 assumed, check digit computed. 7: number system + 6,
 * check digit computed. 8: number system + 6 + check digit, which is carried over as read (even when
 * wrong: the caller validates, nothing here corrects a misread).
 */
export function expandUpce(upce: string): string | undefined {
  if (!/^\d{6,8}$/.test(upce)) return undefined
  const numberSystem = upce.length === 6 ? '0' : upce[0]!
  if (numberSystem !== '0' && numberSystem !== '1') return undefined
  const six = upce.length === 6 ? upce : upce.slice(1, 7)
  const body = numberSystem + expandBody(six)
  const check = upce.length === 8 ? upce[7]! : String(gtinCheckDigit(body))
  return body + check
}
