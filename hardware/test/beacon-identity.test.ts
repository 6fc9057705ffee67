// beaconKey and measuredPower: what the reader allow-lists and the RSSI it expects at 1 m.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BeaconFrame, beaconKey, decodeEddystone, isBeaconKey, measuredPower } from '../src/index.js'

const ibeacon: BeaconFrame = {
  format: 'ibeacon',
  uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
  major: 65535,
  minor: 0,
  tx_power: -59,
}
const altbeacon: BeaconFrame = {
  format: 'altbeacon',
  company_id: 0x0118,
  beacon_id: '2f234454cf6d4a0fadf2f4911ba9ffa600010002',
  tx_power: -60,
  mfg_reserved: 0,
}
const uid: BeaconFrame = {
  format: 'eddystone-uid',
  namespace: '8b0ca750095477cb3e77',
  instance: '0000000004d2',
  tx_power: -20,
}
const url: BeaconFrame = { format: 'eddystone-url', url: 'https://goo.gl/Aq18zF', tx_power: -8 }
const eid: BeaconFrame = { format: 'eddystone-eid', eid: '0123456789abcdef', tx_power: 0 }
const tlm: BeaconFrame = {
  format: 'eddystone-tlm',
  version: 0,
  battery_mv: 3000,
  temperature_c: 20,
  adv_count: 1,
  sec_count: 1,
  uptime_s: 0.1,
}
const etlm: BeaconFrame = { format: 'eddystone-etlm', etlm: '00'.repeat(12), salt: '0000', mic: '0000' }

const t = suite('beacon identity and measured power')

t('iBeacon, AltBeacon and Eddystone-UID keys are the keys of kinds/beacon.ts', () => {
  assert.is(beaconKey(ibeacon), 'ibeacon:e2c56db5dffb48d2b060d0f5a71096e0:65535:0')
  assert.is(beaconKey(altbeacon), 'altbeacon:2f234454cf6d4a0fadf2f4911ba9ffa600010002')
  assert.is(beaconKey(uid), 'eddystone:8b0ca750095477cb3e77:0000000004d2')
  for (const f of [ibeacon, altbeacon, uid]) assert.ok(isBeaconKey(beaconKey(f)), f.format)
})

t('URL, TLM, encrypted TLM and EID frames are never identities', () => {
  for (const f of [url, eid, tlm, etlm]) assert.is(beaconKey(f), undefined, f.format)
})

t('a decoded Eddystone-UID gives the key an allow-list would hold', () => {
  const r = decodeEddystone(Buffer.from('00e78b0ca750095477cb3e770000000004d20000', 'hex'))
  assert.ok(r.ok)
  assert.is(beaconKey(r.frame), 'eddystone:8b0ca750095477cb3e77:0000000004d2')
})

t('iBeacon and AltBeacon power is already at 1 m', () => {
  assert.is(measuredPower(ibeacon), -59)
  assert.is(measuredPower(altbeacon), -60)
})

t('Eddystone power is at 0 m: 41 dB less at 1 m (eddystone-uid/README.md)', () => {
  assert.is(measuredPower(uid), -61)
  assert.is(measuredPower(url), -49)
  assert.is(measuredPower(eid), -41)
})

t('TLM frames carry no power', () => {
  assert.is(measuredPower(tlm), undefined)
  assert.is(measuredPower(etlm), undefined)
})

t.run()
