import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeMessage,
  deliveryFor,
  filters,
  makeEnvelope,
  newMessageId,
  parseTopic,
  topics,
} from '../src/index.js'

const t = suite('wire contract')

t('builds and parses every topic of the contract', () => {
  assert.equal(parseTopic(topics.status('pi-1')), { kind: 'status', agent: 'pi-1' })
  assert.equal(parseTopic(topics.info('pi-1')), { kind: 'info', agent: 'pi-1' })
  assert.equal(parseTopic(topics.health('pi-1')), { kind: 'health', agent: 'pi-1' })
  assert.equal(parseTopic(topics.config('pi-1')), { kind: 'config', agent: 'pi-1' })
  assert.equal(parseTopic(topics.deviceStatus('pi-1', 'scanner-1')), {
    kind: 'device-status',
    agent: 'pi-1',
    device: 'scanner-1',
  })
  assert.equal(parseTopic(topics.telemetry('pi-1', 'ble-0')), {
    kind: 'telemetry',
    agent: 'pi-1',
    device: 'ble-0',
  })
  assert.equal(parseTopic(topics.event('pi-1', 'scanner-1', 'scan')), {
    kind: 'event',
    agent: 'pi-1',
    device: 'scanner-1',
    name: 'scan',
  })
  assert.equal(parseTopic(topics.cmd('pi-1', 'rebirth')), { kind: 'cmd', agent: 'pi-1', name: 'rebirth' })
  assert.equal(parseTopic(topics.cmd('pi-1', 'ack', 'scanner-1')), {
    kind: 'cmd',
    agent: 'pi-1',
    device: 'scanner-1',
    name: 'ack',
  })
})

t('rejects topics outside the contract', () => {
  for (const bad of [
    'relais/v2/pi-1/status',
    'relais/v1/PI-1/status',
    'relais/v1/pi-1/nope',
    'relais/v1/pi-1/scanner-1/event',
    'relais/v1/pi-1/scanner-1/event/scan/x',
    'relais/v1/pi-1/config/event/scan',
    'relais/v1/+/status',
    'relais/v1/#',
    '$SYS/broker/uptime',
    'relais/v1/pi-1/scanner_1/status',
  ]) {
    assert.is(parseTopic(bad), undefined, bad)
  }
})

t('delivery follows the contract table', () => {
  assert.equal(deliveryFor(parseTopic(topics.status('a'))!), { qos: 1, retain: true })
  assert.equal(deliveryFor(parseTopic(topics.health('a'))!), { qos: 0, retain: true })
  assert.equal(deliveryFor(parseTopic(topics.event('a', 'd', 'scan'))!), { qos: 1, retain: false })
  assert.equal(deliveryFor(parseTopic(topics.telemetry('a', 'd'))!), { qos: 0, retain: false })
  assert.equal(filters.agentInbox('a'), ['relais/v1/a/config', 'relais/v1/a/cmd/+', 'relais/v1/a/+/cmd/+'])
})

const scan = (over: Record<string, unknown> = {}, data: unknown = { code: '3017620422003' }) =>
  JSON.stringify({
    ...makeEnvelope({ agent: 'pi-1', device: 'scanner-1', type: 'scan', session: 's1', seq: 1, data }),
    ...over,
  })
const scanTopic = topics.event('pi-1', 'scanner-1', 'scan')

t('accepts a valid scan event', () => {
  const d = decodeMessage(scanTopic, scan())
  assert.ok(d.ok)
  if (d.ok) assert.equal(d.message.data, { code: '3017620422003' })
})

t('rejections name the field', () => {
  const cases: Array<[string, string | Uint8Array, string, RegExp]> = [
    [scanTopic, '{', 'malformed_json', /JSON/],
    [scanTopic, new Uint8Array([0x7b, 0xff, 0x7d]), 'malformed_json', /UTF-8/],
    [scanTopic, 'x'.repeat(20_000), 'payload_too_large', /20000 bytes/],
    [scanTopic, scan({ v: 2 }), 'invalid_envelope', /^v: /],
    [scanTopic, scan({ id: 'has space' }), 'invalid_envelope', /^id: /],
    [scanTopic, scan({ extra: 1 }), 'invalid_envelope', /extra|additional/i],
    [scanTopic, scan({ agent: 'pi-2' }), 'topic_mismatch', /^agent: /],
    [scanTopic, scan({ device: 'scanner-2' }), 'topic_mismatch', /^device: /],
    [scanTopic, scan({ type: 'press' }), 'topic_mismatch', /^type: /],
    [scanTopic, scan({}, { code: 42 }), 'invalid_data', /^data\.code: /],
    [scanTopic, scan({}, { code: 'a\nb' }), 'invalid_data', /^data\.code: /],
    [scanTopic, scan({}, { code: '1', mode: 'explode' }), 'invalid_data', /^data\.mode: /],
    [topics.event('pi-1', 'scanner-1', 'launch'), scan({ type: 'launch' }), 'unknown_type', /launch/],
    ['relais/v1/pi-1/whatever', scan(), 'unknown_topic', /contract/],
  ]
  for (const [topic, payload, code, reason] of cases) {
    const d = decodeMessage(topic, payload)
    assert.is(d.ok, false, `${code} expected`)
    if (!d.ok) {
      assert.is(d.code, code, `${d.code}: ${d.reason}`)
      assert.match(d.reason, reason)
    }
  }
})

t('a config carries a whole allow-list of 10,000 keys; other topics keep the 16 KiB limit', () => {
  const allow = Array.from({ length: 10_000 }, (_, i) => `ibeacon:${'ab'.repeat(16)}:${i >> 8}:${i & 255}`)
  const data = { revision: 7, beacons: { 'ble-0': { zone: 'shop-door', allow } } }
  const config = makeEnvelope({ agent: 'pi-1', type: 'config', session: 's1', seq: 1, data })
  const payload = JSON.stringify(config)
  assert.ok(payload.length > 400_000, `${payload.length} bytes`)
  const d = decodeMessage(topics.config('pi-1'), payload)
  assert.ok(d.ok, d.ok ? '' : d.reason)
  const big = decodeMessage(topics.config('pi-1'), 'x'.repeat(1024 * 1024 + 1))
  assert.is(big.ok ? 'ok' : big.code, 'payload_too_large')
  const health = decodeMessage(topics.health('pi-1'), 'x'.repeat(20_000))
  assert.is(health.ok ? 'ok' : health.code, 'payload_too_large')
})

t('message ids are unique and time-ordered', () => {
  const a = newMessageId(1_000)
  const b = newMessageId(2_000)
  assert.ok(a < b)
  const many = new Set(Array.from({ length: 10_000 }, () => newMessageId(5)))
  assert.is(many.size, 10_000)
  assert.match(a, /^[0-9a-f]{32}$/)
  // The UUIDv7 layout: 48 bits of milliseconds, version 7, variant 10.
  const id = newMessageId(Date.UTC(2026, 11, 7))
  assert.is(id.slice(0, 12), Date.UTC(2026, 11, 7).toString(16).padStart(12, '0'))
  assert.is(id[12], '7')
  assert.match(id[16]!, /[89ab]/)
  // Across many refills of the random pool the other 74 bits still vary.
  const tails = new Set(Array.from({ length: 2_000 }, () => newMessageId(5).slice(12)))
  assert.is(tails.size, 2_000)
})

t.run()
