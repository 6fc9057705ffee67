// Privacy at the edge (DESIGN.md, "Security and privacy"; contract, hardware/src/kinds/beacon.ts): what
// is not allowed is dropped before anything is kept and only counted; nothing is reported before a first
// list; a revoked key is forgotten at once, its queued events taken back; the list survives a restart
// and a newer revision always wins. Asserted on what reaches the outbox, the link and the disk.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeMessage, type Envelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { makeReader } from './support/beacon-reader.js'
import { advert, ibeacon, keyOf } from './support/beacons.js'

const ALICE = ibeacon(1, 1)
const BOB = ibeacon(1, 2)
const section = (allow: string[]) => ({ zone: 'shop-door', allow })

/** A walk up to the reader and a stay: enough strong readings for an enter. */
function approach(r: ReturnType<typeof makeReader>, f = ALICE, t0 = 1_000, n = 10) {
  for (let i = 0; i < n; i++) r.reader.handle(advert(f, -60, t0 + i * 500))
}

const t = suite<{ dir: string; readers: Array<ReturnType<typeof makeReader>> }>('beacon privacy')
t.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-beacon-'))
  ctx.readers = []
})
t.after.each(async (ctx) => {
  for (const r of ctx.readers) {
    await r.reader.stop()
    r.outbox.close()
  }
  rmSync(ctx.dir, { recursive: true, force: true })
})
const reader = async (ctx: { dir: string; readers: Array<ReturnType<typeof makeReader>> }) => {
  const r = makeReader(ctx.dir)
  ctx.readers.push(r)
  await r.reader.start()
  return r
}

t('before a first allow-list nothing is reported, only counted', async (ctx) => {
  const r = await reader(ctx)
  approach(r)
  assert.is(r.outbox.depth, 0)
  assert.is(r.reader.tracker.tracked, 0)
  const tm = r.reader.takeTelemetry()
  assert.equal([tm.adverts, tm.dropped_not_allowed, tm.other_beacons, tm.present], [10, 10, 1, 0])
})

t('a beacon not on the list never yields an event or a trace, only the anonymous count', async (ctx) => {
  const r = await reader(ctx)
  r.reader.applyConfig(section([keyOf(ALICE)]), 1)
  approach(r, ALICE)
  // Bob and 50 others stand right at the reader, stronger than Alice.
  for (let i = 0; i < 20; i++) r.reader.handle(advert(BOB, -40, 1_000 + i * 500, 'bob-phone'))
  for (let m = 100; m < 150; m++) r.reader.handle(advert(ibeacon(9, m), -45, 2_000))
  r.reader.tick(10_000)
  const stored = r.stored()
  assert.equal(
    stored.map((e) => [e.type, (e.data as { beacon: string }).beacon]),
    [['enter', keyOf(ALICE)]],
  )
  for (const e of stored) {
    const d = decodeMessage(topics.event('shop', 'ble-0', e.type), JSON.stringify(e))
    assert.ok(d.ok, d.ok ? '' : d.reason)
  }
  assert.equal([...r.reader.tracker.keys()], [keyOf(ALICE)], 'only the allowed beacon has state')
  const tm = r.reader.takeTelemetry()
  assert.equal(
    [tm.present, tm.tracked, tm.allowed, tm.other_beacons, tm.dropped_not_allowed, tm.adverts],
    [1, 1, 1, 51, 70, 80],
  )
  assert.is(r.reader.takeTelemetry().other_beacons, 0, 'the count ends with its period')
  const disk = readFileSync(join(ctx.dir, 'beacons-ble-0.json'), 'utf8')
  const everything = JSON.stringify([stored, r.link.published]) + disk
  assert.not.ok(
    everything.includes(keyOf(BOB).slice(8)) || everything.includes('bob-phone'),
    'nothing of Bob',
  )
  // Telemetry is numbers only, on its topic, QoS 0, not retained.
  await r.reader.publishTelemetry()
  const tel = r.link.published.find((p) => p.topic === topics.telemetry('shop', 'ble-0'))!
  assert.equal([tel.qos, tel.retain], [0, false])
  assert.ok(decodeMessage(tel.topic, JSON.stringify(tel.message)).ok)
})

t(
  'revocation: a push without the key stops events at once, with no leave, and takes back queued ones',
  async (ctx) => {
    const r = await reader(ctx)
    r.reader.applyConfig(section([keyOf(ALICE), keyOf(BOB)]), 1)
    approach(r, ALICE)
    approach(r, BOB)
    assert.is(r.outbox.depth, 2, 'both entered, both queued (the sender is idle)')
    const applied = r.reader.applyConfig(section([keyOf(BOB)]), 2)
    assert.ok(applied.includes('allow'))
    assert.equal(
      r.stored().map((e) => (e.data as { beacon: string }).beacon),
      [keyOf(BOB)],
      "Alice's queued enter is taken out of the outbox",
    )
    assert.not.ok(r.reader.tracker.isPresent(keyOf(ALICE)))
    approach(r, ALICE, 10_000, 20)
    r.reader.tick(1_000_000)
    const types = r.stored().map((e) => [e.type, (e.data as { beacon: string }).beacon])
    assert.equal(types, [
      ['enter', keyOf(BOB)],
      ['leave', keyOf(BOB)],
    ])
  },
)

t('revocation finds queued events behind a long backlog (the outbox read in pages)', async (ctx) => {
  const r = await reader(ctx)
  for (let i = 0; i < 900; i++) r.outbox.add(`scan-${i}`, topics.event('shop', 'scanner-1', 'scan'), '{}')
  r.reader.applyConfig(section([keyOf(ALICE), keyOf(BOB)]), 1)
  approach(r, ALICE)
  approach(r, BOB)
  r.reader.applyConfig(section([keyOf(BOB)]), 2)
  const events = r.outbox.pending(10_000).filter((e) => !e.id.startsWith('scan-'))
  assert.equal(
    events.map((e) => (JSON.parse(e.payload) as { data: { beacon: string } }).data.beacon),
    [keyOf(BOB)],
  )
  assert.is(r.outbox.depth, 901)
})

t('a config without a section for the reader allows nobody', async (ctx) => {
  const r = await reader(ctx)
  r.reader.applyConfig(section([keyOf(ALICE)]), 1)
  r.reader.applyConfig(undefined, 2)
  approach(r)
  assert.is(r.outbox.depth, 0)
  assert.is(r.reader.allowed, 0)
})

t('the list survives a restart; a newer revision wins from either side', async (ctx) => {
  const first = await reader(ctx)
  first.reader.applyConfig(section([keyOf(ALICE)]), 5)
  await first.reader.stop()
  first.outbox.close()
  ctx.readers = []
  // Rebooted while offline: the list on disk is in force before the cloud says anything.
  const r = await reader(ctx)
  assert.is(r.reader.revision, 5)
  approach(r, ALICE)
  assert.is(r.stored()[0]?.type, 'enter')
  // An older retained config (a broker that lost its newer one) does not take Alice back.
  assert.equal(r.reader.applyConfig(section([]), 4), [])
  assert.ok(r.reader.tracker.isPresent(keyOf(ALICE)))
  // A newer one does, at once.
  r.reader.applyConfig(section([keyOf(BOB)]), 6)
  assert.not.ok(r.reader.tracker.isPresent(keyOf(ALICE)))
  const disk = JSON.parse(readFileSync(join(ctx.dir, 'beacons-ble-0.json'), 'utf8')) as {
    revision: number
    section: { allow: string[] }
  }
  assert.equal([disk.revision, disk.section.allow], [6, [keyOf(BOB)]])
})

t('a damaged copy on disk is ignored: nothing reported until the cloud speaks', async (ctx) => {
  writeFileSync(
    join(ctx.dir, 'beacons-ble-0.json'),
    '{"revision": 3, "section": {"zone": "x", "allow": ["me"]}}',
  )
  const r = await reader(ctx)
  assert.is(r.reader.revision, undefined)
  approach(r)
  assert.is(r.outbox.depth, 0)
})

t('a zone change forgets who was present in the old zone, without events', async (ctx) => {
  const r = await reader(ctx)
  r.reader.applyConfig(section([keyOf(ALICE)]), 1)
  approach(r)
  r.reader.applyConfig({ zone: 'checkout', allow: [keyOf(ALICE)] }, 2)
  assert.is(r.reader.tracker.tracked, 0)
  approach(r, ALICE, 20_000)
  const zones = r.stored().map((e) => [e.type, (e.data as Envelope['data'] & { zone: string }).zone])
  assert.equal(zones, [
    ['enter', 'shop-door'],
    ['enter', 'checkout'],
  ])
})

t.run()
