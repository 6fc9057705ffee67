// Properties of the beacon decoders for every input, not only the rows of the tables: random bytes never
// throw, every frame survives encode then decode, and a valid frame cut or lengthened is refused.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type BeaconDecodeResult,
  type BeaconFrame,
  beaconKey,
  decodeAdvertisement,
  decodeEddystone,
  decodeManufacturerData,
  encodeAdvertisement,
  encodeFrame,
  isBeaconKey,
} from '../src/index.js'

const hexOf = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'))
const int8 = fc.integer({ min: -128, max: 127 })
const u16 = fc.integer({ min: 0, max: 0xffff })
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const uuid = hexOf(16).map(
  (x) => `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`,
)
const SCHEMES = ['http://www.', 'https://www.', 'http://', 'https://']
const EXPANSIONS = [
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
]
// A URL made of at most 17 pieces, each one encoded byte: a printable character or an expansion.
const piece = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(...EXPANSIONS),
)
const url = fc
  .tuple(fc.constantFrom(...SCHEMES), fc.array(piece, { maxLength: 17 }))
  .map(([s, p]) => s + p.join(''))

// Spread: fc.record builds null-prototype objects, which deep equality tells from decoded frames.
const frame: fc.Arbitrary<BeaconFrame> = fc
  .oneof(
    fc.record({ format: fc.constant('ibeacon' as const), uuid, major: u16, minor: u16, tx_power: int8 }),
    fc.record({
      format: fc.constant('altbeacon' as const),
      company_id: u16,
      beacon_id: hexOf(20),
      tx_power: int8,
      mfg_reserved: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({
      format: fc.constant('eddystone-uid' as const),
      namespace: hexOf(10),
      instance: hexOf(6),
      tx_power: int8,
    }),
    fc.record({ format: fc.constant('eddystone-url' as const), url, tx_power: int8 }),
    fc
      .record({
        battery_mv: fc.option(fc.integer({ min: 1, max: 0xffff })),
        temperature_c: fc.option(fc.integer({ min: -0x7fff, max: 0x7fff }).map((v) => v / 256)),
        adv_count: u32,
        sec_count: u32,
      })
      .map((f) => ({
        format: 'eddystone-tlm' as const,
        version: 0 as const,
        ...f,
        uptime_s: f.sec_count / 10,
      })),
    fc.record({
      format: fc.constant('eddystone-etlm' as const),
      etlm: hexOf(12),
      salt: hexOf(2),
      mic: hexOf(2),
    }),
    fc.record({ format: fc.constant('eddystone-eid' as const), eid: hexOf(8), tx_power: int8 }),
  )
  .map((f): BeaconFrame => ({ ...f }))

const isMfg = (f: BeaconFrame) => f.format === 'ibeacon' || f.format === 'altbeacon'
const decodePart = (f: BeaconFrame, b: Uint8Array) =>
  isMfg(f) ? decodeManufacturerData(b) : decodeEddystone(b)
const wellFormed = (r: BeaconDecodeResult) =>
  r.ok ? typeof r.frame.format === 'string' : typeof r.reason === 'string' && r.reason.includes(': ')

const t = suite('beacon properties')

t('random bytes never throw, through any entry point, and give a frame or a reason', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      return (
        wellFormed(decodeAdvertisement(b)) &&
        wellFormed(decodeManufacturerData(b)) &&
        wellFormed(decodeEddystone(b))
      )
    }),
    { numRuns: 5000 },
  )
})

t('random bytes behind a beacon prefix never throw, and keys of what they decode to are valid keys', () => {
  const prefixed = fc.tuple(
    fc.constantFrom(
      [0x4c, 0x00, 0x02, 0x15],
      [0x18, 0x01, 0xbe, 0xac],
      [0x00],
      [0x10],
      [0x20, 0x00],
      [0x20, 0x01],
      [0x30],
    ),
    fc.uint8Array({ maxLength: 30 }),
  )
  fc.assert(
    fc.property(prefixed, ([head, tail]) => {
      const b = Uint8Array.from([...head, ...tail])
      for (const r of [decodeManufacturerData(b), decodeEddystone(b)]) {
        if (!wellFormed(r)) return false
        if (r.ok) {
          const key = beaconKey(r.frame)
          if (key !== undefined && !isBeaconKey(key)) return false
        }
      }
      return true
    }),
    { numRuns: 5000 },
  )
})

t('random AD structures (lengths that fit) never throw', () => {
  const structure = fc
    .tuple(fc.constantFrom(0x01, 0x03, 0x09, 0x16, 0xff), fc.uint8Array({ maxLength: 28 }))
    .map(([type, data]) => [data.length + 1, type, ...data])
  fc.assert(
    fc.property(fc.array(structure, { maxLength: 4 }), (s) =>
      wellFormed(decodeAdvertisement(Uint8Array.from(s.flat()))),
    ),
  )
})

t('every frame decodes back to itself from encodeFrame and from encodeAdvertisement', () => {
  fc.assert(
    fc.property(frame, (f) => {
      assert.equal(decodePart(f, encodeFrame(f)), { ok: true, frame: f })
      assert.equal(decodeAdvertisement(encodeAdvertisement(f)), { ok: true, frame: f })
    }),
    { numRuns: 2000 },
  )
})

t('whatever bytes decode to a frame, that frame encodes to bytes that decode to it again', () => {
  const eddystone = fc.tuple(
    fc.constantFrom(0x00, 0x10, 0x20, 0x30),
    fc.uint8Array({ minLength: 1, maxLength: 19 }),
  )
  fc.assert(
    fc.property(eddystone, ([type, rest]) => {
      const r = decodeEddystone(Uint8Array.from([type, ...rest]))
      if (r.ok) assert.equal(decodeEddystone(encodeFrame(r.frame)), r)
    }),
    { numRuns: 5000 },
  )
})

t('a fixed-length frame cut anywhere or one byte longer is refused, never read as something else', () => {
  const fixed = frame.filter((f) => f.format !== 'eddystone-url')
  fc.assert(
    fc.property(fixed, fc.nat(), fc.nat(255), (f, cut, extra) => {
      const b = encodeFrame(f)
      const short = b.subarray(0, cut % b.length)
      // An Eddystone-UID without its two RFU bytes is a valid frame: the one cut that is not refused.
      if (!(f.format === 'eddystone-uid' && short.length === 18)) assert.not.ok(decodePart(f, short).ok)
      assert.not.ok(decodePart(f, Uint8Array.from([...b, extra])).ok)
    }),
    { numRuns: 2000 },
  )
})

t.run()
