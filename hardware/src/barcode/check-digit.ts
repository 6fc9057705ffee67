// The GS1 mod-10 check digit (GS1 General Specifications §7.9.1, "Standard check digit calculations for
// GS1 data structures"): from the rightmost data digit leftwards the weights are 3, 1, 3, 1, ... so one
// function serves GTIN-8/12/13/14, GLN (13) and SSCC (18), whatever their length.

const DIGITS = /^\d+$/

/** The check digit for `digitsWithoutCheck` (1 or more digits). Throws RangeError on anything else. */
export function gtinCheckDigit(digitsWithoutCheck: string): number {
  if (!DIGITS.test(digitsWithoutCheck)) {
    throw new RangeError(`gtinCheckDigit: expected digits, got ${JSON.stringify(digitsWithoutCheck)}`)
  }
  let sum = 0
  let weight = 3
  for (let i = digitsWithoutCheck.length - 1; i >= 0; i--) {
    sum += (digitsWithoutCheck.charCodeAt(i) - 48) * weight
    weight = 4 - weight
  }
  return (10 - (sum % 10)) % 10
}

/**
 * Undefined when the last digit of `digits` (2 or more digits) is the right check digit, else the
 * reason, naming what was read and what was expected. Never suggests a "fixed" code.
 */
export function checkDigitError(digits: string): string | undefined {
  const got = Number(digits[digits.length - 1])
  const expected = gtinCheckDigit(digits.slice(0, -1))
  return got === expected ? undefined : `check digit is ${got}, expected ${expected}`
}
