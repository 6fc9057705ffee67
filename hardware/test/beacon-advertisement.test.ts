// Whole advertising payloads (AD structures: length, type, data; Bluetooth Core Vol 3 Part C 11), as
// captured from the air: flags and names around the beacon structure, zero padding, scan responses.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BeaconDecodeReason, decodeAdvertisement } from '../src/index.js'

const h = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex')
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

const FLAGS = '020106'
const IBEACON = '1aff 4c00 0215 e2c56db5dffb48d2b060d0f5a71096e0 0001 0002 c5'
const ALTBEACON = '1bff 1801 beac 2f234454cf6d4a0fadf2f4911ba9ffa6 00010002 c5 00'
const EDDYSTONE_LIST = '0303 aafe'
const UID = '1716 aafe 00 e7 8b0ca750095477cb3e77 0000000004d2 0000'
const URL = `1316 aafe 10 f8 03 ${ascii('goo.gl/Aq18zF')}`
const NAME = `0509 ${ascii('Pixi')}`
const APPLE_NEARBY = '0aff 4c00 1005 0b1c6f0e2a' // Nearby Info, what every iPhone sends

const ibeacon = {
  format: 'ibeacon',
  uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
  major: 1,
  minor: 2,
  tx_power: -59,
}
const uid = {
  format: 'eddystone-uid',
  namespace: '8b0ca750095477cb3e77',
  instance: '0000000004d2',
  tx_power: -25,
}

const t = suite('beacon advertising payload')

t(
  'reads an iBeacon advertisement: flags, then the manufacturer data (30 bytes, the usual on-air form)',
  () => {
    assert.is(h(FLAGS + IBEACON).length, 30)
    assert.equal(decodeAdvertisement(h(FLAGS + IBEACON)), { ok: true, frame: ibeacon })
  },
)

t('reads an AltBeacon advertisement (AD length 0x1B as the spec requires)', () => {
  const r = decodeAdvertisement(h(FLAGS + ALTBEACON))
  assert.ok(r.ok && r.frame.format === 'altbeacon' && r.frame.company_id === 0x0118)
})

t('reads Eddystone: flags, the 16-bit UUID list with FEAA, then the service data', () => {
  assert.equal(decodeAdvertisement(h(FLAGS + EDDYSTONE_LIST + UID)), { ok: true, frame: uid })
  const url = decodeAdvertisement(h(FLAGS + EDDYSTONE_LIST + URL))
  assert.equal(url, {
    ok: true,
    frame: { format: 'eddystone-url', url: 'https://goo.gl/Aq18zF', tx_power: -8 },
  })
})

t('a zero length ends the payload: the zero padding of a 31-byte advertisement is not read', () => {
  const padded = h(FLAGS + IBEACON + '00')
  assert.equal(decodeAdvertisement(padded), { ok: true, frame: ibeacon })
  // Garbage after the terminator is never looked at, even a length that would run past the end.
  assert.equal(decodeAdvertisement(h(FLAGS + IBEACON + '00 ff 01')), { ok: true, frame: ibeacon })
})

t('skips names, other manufacturers and other service data around the beacon', () => {
  const other = '0516 0918 6400' // service data for 0x1809 (health thermometer)
  const r = decodeAdvertisement(h(FLAGS + NAME + APPLE_NEARBY + other + EDDYSTONE_LIST + UID))
  assert.equal(r, { ok: true, frame: uid })
})

t('returns the first beacon when a payload (advertisement plus scan response) holds two', () => {
  assert.equal(decodeAdvertisement(h(FLAGS + IBEACON + EDDYSTONE_LIST + UID)), { ok: true, frame: ibeacon })
  assert.equal(decodeAdvertisement(h(EDDYSTONE_LIST + UID + IBEACON)), { ok: true, frame: uid })
})

const rejects: [string, string, BeaconDecodeReason][] = [
  ['an empty payload', '', 'ad: empty'],
  ['a payload of padding only', '0000000000', 'ad: empty'],
  [
    'a structure whose length runs past the end',
    FLAGS + IBEACON.slice(0, -2),
    'ad: structure runs past the end',
  ],
  [
    'a damaged structure after a good beacon',
    FLAGS + IBEACON + '05ff4c00',
    'ad: structure runs past the end',
  ],
  ['a lone length byte', '02', 'ad: structure runs past the end'],
  ['flags and a name only', FLAGS + NAME, 'ad: no beacon data'],
  ['a phone: Apple Nearby Info only', FLAGS + APPLE_NEARBY, 'ad: no beacon data'],
  ['manufacturer data too short for a company id', FLAGS + '02ff4c', 'ad: no beacon data'],
  ['service data of another 16-bit UUID', FLAGS + '0716 aafd 00e70102', 'ad: no beacon data'],
  ['service data too short for a UUID', FLAGS + '0216 aa', 'ad: no beacon data'],
  ['a 128-bit service data structure (0x21) is not Eddystone', FLAGS + '0521 aafe0000', 'ad: no beacon data'],
  [
    'an iBeacon one byte short inside its structure',
    FLAGS + '19ff 4c00 0215 e2c56db5dffb48d2b060d0f5a71096e0 0001 0002',
    'ibeacon: truncated',
  ],
  [
    'an iBeacon under the wrong company',
    FLAGS + '1aff 0600 0215 e2c56db5dffb48d2b060d0f5a71096e0 0001 0002 c5',
    'ibeacon: wrong company id',
  ],
  [
    'Eddystone service data with an unknown frame type',
    FLAGS + EDDYSTONE_LIST + '0716 aafe 50 00 01 02',
    'eddystone: unknown frame type',
  ],
  ['Eddystone service data with no frame at all', FLAGS + EDDYSTONE_LIST + '0316 aafe', 'eddystone: empty'],
]

for (const [label, hex, reason] of rejects) {
  t(`rejects ${label}: ${reason}`, () => {
    assert.equal(decodeAdvertisement(h(hex)), { ok: false, reason })
  })
}

t('a rejected beacon structure does not hide a good one after it', () => {
  const badTlm = '0516 aafe 2000'
  assert.equal(decodeAdvertisement(h(FLAGS + badTlm + IBEACON)), { ok: true, frame: ibeacon })
})

t.run()
