// Properties of the mod-10 check digit and of parseBarcode that must hold for every input, not only
// for the rows of the table.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { expandUpce, gtinCheckDigit, parseBarcode } from '../src/index.js'

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`))

const t = suite('barcode properties')

t('12 random digits + their check digit make a valid EAN-13 that reads back as itself', () => {
  fc.assert(
    fc.property(digits(12), (d) => {
      const code = d + gtinCheckDigit(d)
      const b = parseBarcode(code)
      return (
        b.valid && b.symbology === 'ean13' && b.display === code && b.gtin === `0${code}` && b.key === b.gtin
      )
    }),
  )
})

t('changing any single digit of a valid EAN-13 makes it invalid (weights 3/1 catch every one)', () => {
  fc.assert(
    fc.property(digits(12), fc.nat(12), fc.integer({ min: 1, max: 9 }), (d, at, delta) => {
      const code = d + gtinCheckDigit(d)
      const changed = String((Number(code[at]) + delta) % 10)
      const wrong = code.slice(0, at) + changed + code.slice(at + 1)
      const b = parseBarcode(wrong)
      return !b.valid && b.symbology === 'ean13' && b.gtin === null && b.key === null && b.error !== undefined
    }),
  )
})

t('every UPC-E expands to a UPC-A with a right check digit, and both read as the same GTIN', () => {
  fc.assert(
    fc.property(fc.constantFrom('0', '1'), digits(6), (ns, six) => {
      const upca = expandUpce(ns + six)!
      const upce = ns + six + upca[11]
      const asUpce = parseBarcode(`]E0${upce}`)
      const asUpca = parseBarcode(upca)
      return (
        upca.length === 12 &&
        gtinCheckDigit(upca.slice(0, 11)) === Number(upca[11]) &&
        asUpce.valid &&
        asUpce.symbology === 'upce' &&
        asUpce.display === upca &&
        asUpca.valid &&
        asUpce.key === asUpca.key
      )
    }),
  )
})

t('any string: no throw, and the result keeps its invariants', () => {
  const input = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.stringMatching(/^(\][CdeEQJ][0-4])?[0-9\x1d()]{0,40}$/),
  )
  fc.assert(
    fc.property(input, (s) => {
      const b = parseBarcode(s)
      assert.is(b.code, s)
      if (b.valid) {
        assert.match(b.gtin ?? '', /^\d{14}$/)
        assert.is(b.key, b.gtin)
        assert.is(b.error, undefined)
        assert.is(typeof b.restricted, 'boolean')
        assert.is.not(b.symbology, 'plain')
      } else {
        assert.is(b.gtin, null)
        assert.type(b.error, 'string')
        if (b.symbology !== 'plain') assert.is(b.key, null)
      }
      return true
    }),
  )
})

t('the hint never changes what a code of another length is', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[0-9]{1,24}$/),
      fc.constantFrom('upce' as const, 'ean8' as const),
      (s, hint) => {
        if (s.length === 8) return true
        assert.equal(parseBarcode(s, { hint }), parseBarcode(s))
        return true
      },
    ),
  )
})

t.run()
