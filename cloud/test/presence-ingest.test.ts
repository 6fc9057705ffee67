// Beacon readers' enter and leave events through the real broker and ingest: the consent gate (no
// consent, wrong zone, expired, revoked, unknown beacon: refused, counted, nothing stored), sessions
// opened and closed, duplicates and replays answered from the dedupe record.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { grantConsent, revokeConsent } from '../src/domains/presence/consents.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import {
  connectReader,
  enterEnvelope,
  KEY_A,
  KEY_B,
  KEY_C,
  leaveEnvelope,
  member,
  type Reader,
  send,
  until,
  zone,
} from './support/presence.js'

const t = suite<{ tc: TestCloud; reader: Reader }>('presence ingest')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_TS_FLUSH_MS: '20' })
  await zone(ctx.tc.cloud.db, 'shop-door')
  await zone(ctx.tc.cloud.db, 'back-office')
  ctx.reader = await connectReader(ctx.tc, 'door-pi', 'shop-door')
})
t.after(async (ctx) => ctx.tc.stop())

async function sessions(tc: TestCloud) {
  return tc.cloud.db.selectFrom('presence_sessions').selectAll().orderBy('entered_at').execute()
}

t('an enter with consent opens a session; a second enter is a duplicate; leave closes it', async (ctx) => {
  const { tc, reader } = ctx
  const m = await member(tc.cloud.db, KEY_A, 'shop-door')
  const at = Date.now()
  const first = enterEnvelope(reader.device, KEY_A, 'shop-door', at)
  assert.equal(await send(reader.device, first), { outcome: 'recorded' })
  const again = await send(reader.device, enterEnvelope(reader.device, KEY_A, 'shop-door', at + 1000))
  assert.equal([again.outcome, again.detail], ['duplicate', 'already present'])
  reader.device.acks.delete(first.id) // wait for the new ack, not the one already received
  const replay = await send(reader.device, first)
  assert.equal([replay.outcome, replay.replayed], ['recorded', true], 'a resent event gets its stored ack')
  let rows = await sessions(tc)
  assert.equal(
    rows.map((r) => [r.member_id, r.zone_id, r.agent_id, r.device_id, Number(r.entered_at), r.left_at]),
    [[m.id, 'shop-door', 'door-pi', 'ble-0', at, null]],
  )
  const leave = leaveEnvelope(reader.device, KEY_A, 'shop-door', at, at + 60_000)
  assert.equal(await send(reader.device, leave), { outcome: 'recorded' })
  rows = await sessions(tc)
  assert.equal([Number(rows[0]!.left_at), rows[0]!.leave_reason], [at + 60_000, 'timeout'])
  const late = await send(reader.device, leaveEnvelope(reader.device, KEY_A, 'shop-door', at, at + 61_000))
  assert.equal([late.outcome, late.detail], ['duplicate', 'no open session'])
})

t(
  'refused: unknown beacon, no consent, wrong zone, expired, revoked; nothing stored, each counted',
  async (ctx) => {
    const { tc, reader } = ctx
    const db = tc.cloud.db
    const before = await sessions(tc)
    const refusedBefore = new Map(tc.cloud.ingest.metrics.refused)
    const now = Date.now()
    const unknown = await send(reader.device, enterEnvelope(reader.device, KEY_C, 'shop-door'))
    assert.equal(unknown, { outcome: 'refused', reason: 'unknown_beacon' })

    const noConsent = await member(db, KEY_B, 'shop-door', { consent: false })
    assert.equal(await send(reader.device, enterEnvelope(reader.device, KEY_B, 'shop-door')), {
      outcome: 'refused',
      reason: 'no_consent',
    })

    // Consent for another zone only: the reader's zone is what counts.
    await grantConsent(db, { member: noConsent.id, zone: 'back-office', by: 'ops:test' })
    assert.equal(
      (await send(reader.device, enterEnvelope(reader.device, KEY_B, 'shop-door'))).reason,
      'no_consent',
    )
    assert.equal(
      await send(reader.device, enterEnvelope(reader.device, KEY_B, 'back-office')),
      { outcome: 'refused', reason: 'wrong_zone' },
      'a reader reporting another zone than where it stands',
    )

    // Expired at the event's time: granted earlier, expiring before the sighting.
    const expiring = await member(db, KEY_C, 'shop-door', { now: now - 10_000, expiresAt: now - 5000 })
    assert.equal(
      (await send(reader.device, enterEnvelope(reader.device, KEY_C, 'shop-door', now))).reason,
      'no_consent',
    )

    const revoked = await member(db, `altbeacon:${'e'.repeat(40)}`, 'shop-door')
    await revokeConsent(db, { member: revoked.id, consent: revoked.consent!.id, by: `member:${revoked.id}` })
    const r = await send(
      reader.device,
      enterEnvelope(reader.device, `altbeacon:${'e'.repeat(40)}`, 'shop-door'),
    )
    assert.equal(r.reason, 'no_consent')

    assert.equal(await sessions(tc), before, 'no session stored for a refused event')
    const delta = (k: string) => (tc.cloud.ingest.metrics.refused.get(k) ?? 0) - (refusedBefore.get(k) ?? 0)
    assert.equal([delta('unknown_beacon'), delta('no_consent'), delta('wrong_zone')], [1, 4, 1])
    assert.ok(expiring.id !== revoked.id)
  },
)

t('revoking a consent closes the open stay; the reader sends no leave after it', async (ctx) => {
  const { tc, reader } = ctx
  const key = `altbeacon:${'f'.repeat(40)}`
  const m = await member(tc.cloud.db, key, 'shop-door', { now: Date.now() - 1000 })
  assert.equal(await send(reader.device, enterEnvelope(reader.device, key, 'shop-door')), {
    outcome: 'recorded',
  })
  await revokeConsent(tc.cloud.db, { member: m.id, consent: m.consent!.id, by: `member:${m.id}` })
  const rows = await tc.cloud.db
    .selectFrom('presence_sessions')
    .selectAll()
    .where('member_id', '=', m.id)
    .execute()
  assert.equal(
    rows.map((r) => [r.left_at !== null, r.leave_reason]),
    [[true, 'revoked']],
  )
})

t('refused points carry the reason and zone, never the beacon or member', async (ctx) => {
  const { tc } = ctx
  const query = (outcome: string) =>
    tc.cloud.series.query({ measurement: 'enter', from: 0, to: Date.now() + 60_000, where: { outcome } })
  const rows = await until(async () => {
    const r = await query('refused')
    return r.length === 6 ? r : undefined
  })
  for (const r of rows) {
    assert.ok(r.tags.reason !== undefined && r.tags.zone !== undefined)
    assert.is(r.tags.member, undefined)
    assert.not.match(JSON.stringify(r), /ibeacon|altbeacon|eddystone/)
  }
  // Two enters were recorded (the first test's and the revoked member's), each with zone and pseudonym.
  const recorded = await until(async () => {
    const r = await query('recorded')
    return r.length === 2 ? r : undefined
  })
  for (const r of recorded) {
    assert.is(r.tags.zone, 'shop-door')
    assert.match(r.tags.member ?? '', /^m-[0-9a-f]{20}$/)
  }
})

// Last: its enter is one more recorded point, which the test above counts.
t(
  'a stay closed by a withdrawal never ends before it began, when the reader clock runs ahead',
  async (ctx) => {
    const { tc, reader } = ctx
    const key = `altbeacon:${'a'.repeat(39)}b`
    const m = await member(tc.cloud.db, key, 'shop-door', { now: Date.now() - 1000 })
    const ahead = Date.now() + 60_000
    assert.equal(await send(reader.device, enterEnvelope(reader.device, key, 'shop-door', ahead)), {
      outcome: 'recorded',
    })
    await revokeConsent(tc.cloud.db, { member: m.id, consent: m.consent!.id, by: `member:${m.id}` })
    const rows = await tc.cloud.db
      .selectFrom('presence_sessions')
      .selectAll()
      .where('member_id', '=', m.id)
      .execute()
    assert.equal(
      rows.map((r) => [Number(r.entered_at), Number(r.left_at), r.leave_reason]),
      [[ahead, ahead, 'revoked']],
    )
  },
)

t.run()
