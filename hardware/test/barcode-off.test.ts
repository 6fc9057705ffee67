// The Open Food Facts sample (../shared/data, ODbL): real codes as an importer meets them.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BarcodeInfo, parseBarcode } from '../src/index.js'

const csv = fileURLToPath(new URL('../../../shared/data/off-sample.csv', import.meta.url))
// Tab-separated, header first, no quoting: the code is everything before the first tab.
const [header, ...lines] = readFileSync(csv, 'utf8').split('\n')
const codes = lines.filter((l) => l !== '').map((l) => l.slice(0, l.indexOf('\t')))
const parsed = new Map<string, BarcodeInfo>()

const t = suite('barcodes in the OFF sample')

t('the first column is code and there are 400 rows', () => {
  assert.is(header?.split('\t')[0], 'code')
  assert.is(codes.length, 400)
})

t('every code parses without throwing', () => {
  for (const c of codes) parsed.set(c, parseBarcode(c))
  assert.is(parsed.size, new Set(codes).size)
})

t('every valid 13-digit code reads back as itself', () => {
  const thirteen = codes.filter((c) => c.length === 13)
  assert.is(thirteen.length, 373)
  for (const c of thirteen) {
    const b = parsed.get(c)!
    assert.is(b.symbology, 'ean13', c)
    if (b.valid) {
      assert.is(b.display, c)
      assert.is(b.gtin, `0${c}`)
    }
  }
})

t('13-digit codes with a wrong check digit stay invalid, uncorrected', () => {
  const wrong = codes.filter((c) => c.length === 13 && !parsed.get(c)!.valid)
  assert.equal(wrong, ['1000000000064', '3760056266490'])
  for (const c of wrong) assert.is(parsed.get(c)!.key, null)
})

t('the 15, 17, 18, 20, 21 and 24-digit codes are kept as plain codes under their own key', () => {
  const long = codes.filter((c) => [15, 17, 18, 20, 21, 24].includes(c.length))
  assert.is(long.length, 11)
  for (const c of long) {
    const b = parsed.get(c)!
    assert.is(b.symbology, 'plain', c)
    assert.is(b.key, c)
    assert.is(b.valid, false)
    assert.ok(b.error?.startsWith('not a GTIN'), c)
  }
})

t('8-digit codes: EAN-8 when the EAN-8 check digit fits, else UPC-E when that fits', () => {
  const eight = codes.filter((c) => c.length === 8)
  assert.is(eight.length, 16)
  const by = (s: string, v: boolean) =>
    eight.filter((c) => parsed.get(c)!.symbology === s && parsed.get(c)!.valid === v)
  assert.is(by('ean8', true).length, 12)
  assert.equal(by('upce', true), ['16925037', '10721504'])
  assert.equal(by('ean8', false), ['00068010', '00211942'])
})

t('in-store codes (prefixes 02, 2x; EAN-8 starting 0 or 2) are flagged restricted', () => {
  for (const c of ['0201415107586', '2296590003424', '20331726', '26053561']) {
    assert.is(parsed.get(c)!.restricted, true, c)
  }
  const restricted = codes.filter((c) => parsed.get(c)!.restricted === true)
  assert.is(restricted.length, 23)
  for (const c of restricted) assert.match(c.padStart(13, '0'), /^(00000[02]|0[24]|2)/, c)
})

t.run()
