// The manufacturer data table: iBeacon and AltBeacon frames, company id first, as noble hands them over.
// Byte strings were built by hand from Apple's Proximity Beacon Specification (4C 00 02 15, UUID,
// major and minor big-endian, signed measured power) and AltBeacon v1.0 (company id little-endian,
// BE AC, 20-byte id, signed reference RSSI, reserved byte), not produced by the code under test.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BeaconDecodeReason, type BeaconFrame, decodeManufacturerData } from '../src/index.js'

const h = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex')

// Apple's AirLocate sample UUID, used by many iBeacon examples.
const AIRLOCATE = 'e2c56db5dffb48d2b060d0f5a71096e0'
const IBEACON = `4c00 0215 ${AIRLOCATE} 0001 0002 c5`
// AltBeacon from Radius Networks (company 0x0118), an id of 16 + 4 bytes as the Android Beacon Library
// examples show it.
const ALTBEACON = '1801 beac 2f234454cf6d4a0fadf2f4911ba9ffa6 00010002 c5 00'

const valid: [string, string, BeaconFrame][] = [
  [
    'iBeacon, AirLocate UUID, major 1, minor 2, -59 dBm',
    IBEACON,
    {
      format: 'ibeacon',
      uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
      major: 1,
      minor: 2,
      tx_power: -59,
    },
  ],
  [
    'iBeacon, Estimote UUID, major and minor above 32767 stay unsigned',
    '4c00 0215 b9407f30f5f8466eaff925556b57fe6d ffff 8001 b3',
    {
      format: 'ibeacon',
      uuid: 'b9407f30-f5f8-466e-aff9-25556b57fe6d',
      major: 65535,
      minor: 32769,
      tx_power: -77,
    },
  ],
  [
    'iBeacon, measured power 0 and positive',
    `4c00 0215 ${AIRLOCATE} 0000 0000 05`,
    {
      format: 'ibeacon',
      uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
      major: 0,
      minor: 0,
      tx_power: 5,
    },
  ],
  [
    'AltBeacon from Radius Networks',
    ALTBEACON,
    {
      format: 'altbeacon',
      company_id: 0x0118,
      beacon_id: '2f234454cf6d4a0fadf2f4911ba9ffa600010002',
      tx_power: -59,
      mfg_reserved: 0,
    },
  ],
  [
    'AltBeacon from any company (here Apple) with a reserved byte set',
    '4c00 beac 000102030405060708090a0b0c0d0e0f10111213 80 ff',
    {
      format: 'altbeacon',
      company_id: 0x004c,
      beacon_id: '000102030405060708090a0b0c0d0e0f10111213',
      tx_power: -128,
      mfg_reserved: 255,
    },
  ],
]

const invalid: [string, string, BeaconDecodeReason][] = [
  ['empty', '', 'mfg: truncated'],
  ['company id only', '4c00', 'mfg: truncated'],
  ['iBeacon cut before the measured power', IBEACON.slice(0, -2), 'ibeacon: truncated'],
  ['iBeacon cut after the prefix', '4c00 0215', 'ibeacon: truncated'],
  ['iBeacon with a byte too many', `${IBEACON} 00`, 'ibeacon: over-long'],
  [
    'iBeacon prefix under another company (Microsoft 0x0006)',
    `0600 0215 ${AIRLOCATE} 0001 0002 c5`,
    'ibeacon: wrong company id',
  ],
  [
    'iBeacon prefix with the company id byte-swapped',
    `004c 0215 ${AIRLOCATE} 0001 0002 c5`,
    'ibeacon: wrong company id',
  ],
  [
    'Apple type 02 with another length byte',
    `4c00 0216 ${AIRLOCATE} 0001 0002 c5 00`,
    'ibeacon: wrong length byte',
  ],
  ['Apple continuity (Nearby Info, type 0x10) is not a beacon', '4c00 1005 0b1c6f0e2a', 'mfg: not a beacon'],
  [
    'Apple Find My (type 0x12) is not a beacon',
    '4c00 1219 00112233445566778899aabbccddeeff00112233445566 0100',
    'mfg: not a beacon',
  ],
  ['AltBeacon cut before its reserved byte', ALTBEACON.slice(0, -3), 'altbeacon: truncated'],
  ['AltBeacon with a byte too many', `${ALTBEACON} 00`, 'altbeacon: over-long'],
  [
    'AltBeacon code byte-swapped',
    '1801 acbe 2f234454cf6d4a0fadf2f4911ba9ffa6 00010002 c5 00',
    'mfg: not a beacon',
  ],
]

const t = suite('beacon manufacturer data')

for (const [label, hex, frame] of valid) {
  t(`decodes ${label}`, () => {
    assert.equal(decodeManufacturerData(h(hex)), { ok: true, frame })
  })
}

for (const [label, hex, reason] of invalid) {
  t(`rejects ${label}: ${reason}`, () => {
    assert.equal(decodeManufacturerData(h(hex)), { ok: false, reason })
  })
}

t('reads a Uint8Array as well as a Buffer, and a Buffer that is a slice of a larger one', () => {
  const big = h(`ffff ${IBEACON} ffff`)
  const slice = big.subarray(2, big.length - 2)
  const want = decodeManufacturerData(h(IBEACON))
  assert.equal(decodeManufacturerData(slice), want)
  assert.equal(decodeManufacturerData(new Uint8Array(slice)), want)
})

t.run()
