// encodeFrame and encodeAdvertisement: the exact bytes of the specs for known frames, and a RangeError
// for a field that cannot be sent rather than a different beacon.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BeaconFrame, encodeAdvertisement, encodeFrame, encodeUrl } from '../src/index.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

const ibeacon: BeaconFrame = {
  format: 'ibeacon',
  uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
  major: 1,
  minor: 2,
  tx_power: -59,
}
const uid: BeaconFrame = {
  format: 'eddystone-uid',
  namespace: '8b0ca750095477cb3e77',
  instance: '0000000004d2',
  tx_power: -25,
}

const t = suite('beacon encoder')

t('an iBeacon is Apple manufacturer data; its advertisement has flags and AD length 0x1A', () => {
  assert.is(hex(encodeFrame(ibeacon)), '4c000215e2c56db5dffb48d2b060d0f5a71096e000010002c5')
  assert.is(hex(encodeAdvertisement(ibeacon)), '0201061aff4c000215e2c56db5dffb48d2b060d0f5a71096e000010002c5')
})

t('an AltBeacon advertisement has AD length 0x1B and the company id little-endian', () => {
  const alt: BeaconFrame = {
    format: 'altbeacon',
    company_id: 0x0118,
    beacon_id: '2f234454cf6d4a0fadf2f4911ba9ffa600010002',
    tx_power: -59,
    mfg_reserved: 7,
  }
  assert.is(hex(encodeAdvertisement(alt)), '0201061bff1801beac2f234454cf6d4a0fadf2f4911ba9ffa600010002c507')
})

t('an Eddystone-UID advertisement lists FEAA and carries 20 bytes of service data (length 0x17)', () => {
  assert.is(hex(encodeFrame(uid)), '00e78b0ca750095477cb3e770000000004d20000')
  assert.is(hex(encodeAdvertisement(uid)), '0201060303aafe1716aafe00e78b0ca750095477cb3e770000000004d20000')
})

t('a TLM frame writes null battery as 0 and null temperature as 0x8000, negatives in 8.8', () => {
  const tlm: BeaconFrame = {
    format: 'eddystone-tlm',
    version: 0,
    battery_mv: null,
    temperature_c: null,
    adv_count: 1,
    sec_count: 10,
    uptime_s: 1,
  }
  assert.is(hex(encodeFrame(tlm)), ['2000', '0000', '8000', '00000001', '0000000a'].join(''))
  const cold = encodeFrame({ ...tlm, battery_mv: 3100, temperature_c: -20.25 })
  assert.is(hex(cold), ['2000', '0c1c', 'ebc0', '00000001', '0000000a'].join(''))
})

t('URLs take the longest scheme and expansions', () => {
  assert.equal(encodeUrl('https://goo.gl/Aq18zF'), [0x03, ...Buffer.from('goo.gl/Aq18zF', 'latin1')])
  assert.is(
    Buffer.from(encodeUrl('http://www.example.com/a')).toString('hex'),
    `00${ascii('example')}00${ascii('a')}`,
  )
  assert.is(Buffer.from(encodeUrl('https://www.example.info')).toString('hex'), `01${ascii('example')}0b`)
  assert.is(Buffer.from(encodeUrl('http://a.info/b')).toString('hex'), `02${ascii('a')}04${ascii('b')}`)
})

t('refuses what cannot be sent, with the field named', () => {
  const cases: [string, BeaconFrame, RegExp][] = [
    ['uuid not hex', { ...(ibeacon as object), uuid: 'not-a-uuid' } as BeaconFrame, /uuid/],
    ['major over 65535', { ...(ibeacon as object), major: 65536 } as BeaconFrame, /major/],
    ['tx power over 127', { ...(ibeacon as object), tx_power: 128 } as BeaconFrame, /tx_power/],
    ['namespace too short', { ...(uid as object), namespace: 'abcd' } as BeaconFrame, /namespace/],
    ['URL without a scheme', { format: 'eddystone-url', url: 'ftp://x', tx_power: 0 }, /scheme/],
    ['URL with a space', { format: 'eddystone-url', url: 'http://a b', tx_power: 0 }, /cannot be sent/],
    [
      'URL too long',
      { format: 'eddystone-url', url: 'https://abcdefghijklmnopqr', tx_power: 0 },
      /at most 17/,
    ],
    [
      'temperature -128 (0x8000 means not supported)',
      {
        format: 'eddystone-tlm',
        version: 0,
        battery_mv: 1,
        temperature_c: -128,
        adv_count: 0,
        sec_count: 0,
        uptime_s: 0,
      },
      /temperature_c/,
    ],
    [
      'battery 0 mV (0 means not supported: send null)',
      {
        format: 'eddystone-tlm',
        version: 0,
        battery_mv: 0,
        temperature_c: 0,
        adv_count: 0,
        sec_count: 0,
        uptime_s: 0,
      },
      /battery_mv/,
    ],
  ]
  for (const [label, frame, message] of cases) {
    assert.throws(
      () => encodeFrame(frame),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
      label,
    )
  }
})

t.run()
