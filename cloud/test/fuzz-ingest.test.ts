// 10,000 random and malformed payloads from an authenticated device: the cloud stays up, every one is
// counted as rejected, no list changes, and a good scan afterwards still works.
import { decodeMessage, makeEnvelope, topics } from '@relais/hardware'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { startTestCloud, TestDevice } from './support/harness.js'

const t = suite('ingest fuzzing')
const TOPIC = topics.event('kitchen', 'scanner-1', 'scan')

const valid = () =>
  makeEnvelope({
    agent: 'kitchen',
    device: 'scanner-1',
    type: 'scan',
    session: 'fz',
    seq: 1,
    data: { code: '3017620422003' },
  }) as unknown as Record<string, unknown>

/** A valid envelope with one field broken, removed, or one field added. */
const mutated = fc
  .tuple(
    fc.constantFrom('v', 'id', 'ts', 'agent', 'device', 'type', 'session', 'seq', 'data', 'corr', 'extra'),
    fc.oneof(fc.anything(), fc.constant(undefined), fc.string(), fc.integer(), fc.object()),
  )
  .map(([key, value]) => {
    const e = valid()
    if (value === undefined) delete e[key]
    else e[key] = value
    return JSON.stringify(e)
  })
const brokenData = fc.anything().map((data) => JSON.stringify({ ...valid(), data }))
const payloads = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  mutated,
  brokenData,
  fc.integer({ min: 16_385, max: 40_000 }).map((n) => 'x'.repeat(n)),
)

t('10,000 malformed payloads change nothing and take nothing down', async () => {
  const tc = await startTestCloud()
  try {
    await tc.household('home')
    const a = await tc.agent('kitchen', 'home')
    const dev = new TestDevice(await tc.connect('kitchen', 'kitchen', a.secret), 'kitchen')
    await dev.subscribeAcks()
    const samples = fc
      .sample(payloads, { numRuns: 12_000, seed: 20261122 })
      .filter((p) => !decodeMessage(TOPIC, p).ok)
      .slice(0, 10_000)
    assert.is(samples.length, 10_000)
    const before = tc.cloud.ingest.metrics.received
    for (let i = 0; i < samples.length; i += 500) {
      await Promise.all(samples.slice(i, i + 500).map((p) => dev.client.publishAsync(TOPIC, p, { qos: 1 })))
    }
    await waitFor(
      'all payloads received',
      async () => tc.cloud.ingest.metrics.received - before >= 10_000,
      60_000,
    )
    await tc.cloud.ingest.drain()
    assert.is(tc.cloud.ingest.metrics.rejectedTotal, 10_000)
    assert.is(tc.cloud.ingest.metrics.applied, 0)
    const items = await tc.cloud.db.selectFrom('items').select('id').execute()
    assert.is(items.length, 0, 'no list changed')
    const processed = await tc.cloud.db.selectFrom('processed_events').select('event_id').execute()
    assert.is(processed.length, 0, 'nothing recorded as applied')
    assert.ok(dev.client.connected)
    const ok = await dev.scan('3017620422003')
    assert.is(ok.ack.outcome, 'unknown_product', 'a good scan still goes through')
  } finally {
    await tc.stop()
  }
})

t.run()
