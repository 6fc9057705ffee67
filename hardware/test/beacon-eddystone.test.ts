// The Eddystone service data table (frame type first). Byte strings built by hand from the Google
// Eddystone protocol specification: eddystone-uid, eddystone-url, eddystone-tlm (tlm-plain.md,
// tlm-encrypted.md) and eddystone-eid READMEs. The namespace 8b0ca750095477cb3e77 is the spec's own
// elided-UUID example; https://goo.gl/Aq18zF its URL example.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type BeaconDecodeReason, type BeaconFrame, decodeEddystone } from '../src/index.js'

const h = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex')
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

const UID = '00 e7 8b0ca750095477cb3e77 0000000004d2'
const TLM = '20 00 0bb8 1880 00001234 00abcdef'
const ETLM = '20 01 000102030405060708090a0b 1f2e 3d4c'
const EID = '30 ec 0123456789abcdef'

const valid: [string, string, BeaconFrame][] = [
  [
    'UID with its RFU bytes',
    `${UID} 0000`,
    { format: 'eddystone-uid', namespace: '8b0ca750095477cb3e77', instance: '0000000004d2', tx_power: -25 },
  ],
  [
    'UID without its RFU bytes (service data length 0x15)',
    UID,
    { format: 'eddystone-uid', namespace: '8b0ca750095477cb3e77', instance: '0000000004d2', tx_power: -25 },
  ],
  [
    'URL, the spec example https://goo.gl/Aq18zF',
    `10 f8 03 ${ascii('goo.gl/Aq18zF')}`,
    { format: 'eddystone-url', url: 'https://goo.gl/Aq18zF', tx_power: -8 },
  ],
  [
    'URL with http://www. and .com/ expansion',
    `10 00 00 ${ascii('example')} 00 ${ascii('a')}`,
    { format: 'eddystone-url', url: 'http://www.example.com/a', tx_power: 0 },
  ],
  [
    'URL with https://www. and a .org ending',
    `10 14 01 ${ascii('wikipedia')} 08`,
    { format: 'eddystone-url', url: 'https://www.wikipedia.org', tx_power: 20 },
  ],
  [
    'URL using every expansion code 0x00-0x0d',
    '10 9c 02 0001020304 0506070809 0a0b0c0d',
    {
      format: 'eddystone-url',
      url: 'http://.com/.org/.edu/.net/.info/.biz/.gov/.com.org.edu.net.info.biz.gov',
      tx_power: -100,
    },
  ],
  ['URL with an empty encoded part', '10 00 03', { format: 'eddystone-url', url: 'https://', tx_power: 0 }],
  [
    'URL of 17 encoded bytes, the most there is room for',
    `10 00 02 ${ascii('abcdefghijklmnopq')}`,
    { format: 'eddystone-url', url: 'http://abcdefghijklmnopq', tx_power: 0 },
  ],
  [
    'URL with ! and ~, the ends of the printable range',
    `10 00 02 21 ${ascii('x')} 7e`,
    { format: 'eddystone-url', url: 'http://!x~', tx_power: 0 },
  ],
  [
    'TLM: 3000 mV, 24.5 C, counts big-endian, uptime in seconds',
    TLM,
    {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: 3000,
      temperature_c: 24.5,
      adv_count: 0x1234,
      sec_count: 0xabcdef,
      uptime_s: 1125937.5,
    },
  ],
  [
    'TLM with a negative temperature (0xEBC0 = -20.25 C)',
    '20 00 0c1c ebc0 00000001 0000000a',
    {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: 3100,
      temperature_c: -20.25,
      adv_count: 1,
      sec_count: 10,
      uptime_s: 1,
    },
  ],
  [
    'TLM with -0.5 C (0xFF80) and counters at their maximum',
    '20 00 0001 ff80 ffffffff ffffffff',
    {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: 1,
      temperature_c: -0.5,
      adv_count: 4294967295,
      sec_count: 4294967295,
      uptime_s: 429496729.5,
    },
  ],
  [
    'TLM from a USB-powered beacon without a sensor: battery 0 and temperature 0x8000 are null',
    '20 00 0000 8000 00000000 00000000',
    {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: null,
      temperature_c: null,
      adv_count: 0,
      sec_count: 0,
      uptime_s: 0,
    },
  ],
  [
    'encrypted TLM',
    ETLM,
    { format: 'eddystone-etlm', etlm: '000102030405060708090a0b', salt: '1f2e', mic: '3d4c' },
  ],
  ['EID', EID, { format: 'eddystone-eid', eid: '0123456789abcdef', tx_power: -20 }],
]

const invalid: [string, string, BeaconDecodeReason][] = [
  ['empty service data', '', 'eddystone: empty'],
  ['frame type 0x40 (not one of ours)', '40 00 0102030405060708', 'eddystone: unknown frame type'],
  [
    'frame type with its reserved low bits set (0x01)',
    `01 e7 8b0ca750095477cb3e77 0000000004d2`,
    'eddystone: unknown frame type',
  ],
  ['UID cut inside the instance', UID.slice(0, -2), 'eddystone-uid: truncated'],
  ['UID cut inside its RFU bytes', `${UID} 00`, 'eddystone-uid: truncated'],
  ['UID with a byte past its RFU bytes', `${UID} 0000 00`, 'eddystone-uid: over-long'],
  ['UID frame type alone', '00', 'eddystone-uid: truncated'],
  ['URL without a scheme', '10 00', 'eddystone-url: truncated'],
  ['URL scheme 0x04', `10 00 04 ${ascii('a')}`, 'eddystone-url: unknown scheme'],
  ['URL of 18 encoded bytes', `10 00 02 ${ascii('abcdefghijklmnopqr')}`, 'eddystone-url: over-long'],
  ['URL with a space (0x20)', `10 00 02 ${ascii('a b')}`, 'eddystone-url: invalid URL byte'],
  ['URL with reserved code 0x0e', '10 00 02 61 0e', 'eddystone-url: invalid URL byte'],
  ['URL with DEL (0x7f)', '10 00 02 61 7f', 'eddystone-url: invalid URL byte'],
  ['URL with a high byte (0xe9, latin-1 e acute)', '10 00 02 61 e9', 'eddystone-url: invalid URL byte'],
  ['TLM without a version', '20', 'eddystone-tlm: truncated'],
  ['TLM version 0x02', '20 02 0bb8 1880 00001234 00abcdef', 'eddystone-tlm: unknown version'],
  ['TLM cut inside the time counter', TLM.slice(0, -2), 'eddystone-tlm: truncated'],
  ['TLM with a byte too many', `${TLM} 00`, 'eddystone-tlm: over-long'],
  ['encrypted TLM cut inside the MIC', ETLM.slice(0, -2), 'eddystone-etlm: truncated'],
  ['encrypted TLM with a byte too many', `${ETLM} 00`, 'eddystone-etlm: over-long'],
  ['EID cut short', EID.slice(0, -2), 'eddystone-eid: truncated'],
  ['EID with a byte too many', `${EID} 00`, 'eddystone-eid: over-long'],
]

const t = suite('beacon Eddystone service data')

for (const [label, hex, frame] of valid) {
  t(`decodes ${label}`, () => {
    assert.equal(decodeEddystone(h(hex)), { ok: true, frame })
  })
}

for (const [label, hex, reason] of invalid) {
  t(`rejects ${label}: ${reason}`, () => {
    assert.equal(decodeEddystone(h(hex)), { ok: false, reason })
  })
}

t.run()
