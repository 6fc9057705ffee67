// A member's own data, export and erasure: the export holds their beacons, consents, audit and sessions;
// erasure removes sessions, beacons, consents and their time-series points, keeps an `erased` audit line
// naming only the pseudonym, and leaves other members untouched.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import {
  connectReader,
  enterEnvelope,
  KEY_A,
  KEY_B,
  leaveEnvelope,
  member,
  type Reader,
  send,
  until,
  zone,
} from './support/presence.js'

type M = Awaited<ReturnType<typeof member>>
const t = suite<{ tc: TestCloud; reader: Reader; ops: string; a: M; b: M }>('presence export and erasure')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_TS_FLUSH_MS: '20' })
  const db = ctx.tc.cloud.db
  await zone(db, 'shop-door')
  ctx.ops = await createToken(db, { scope: 'ops', name: 'ops' })
  ctx.reader = await connectReader(ctx.tc, 'door-pi', 'shop-door')
  // Consents given before the stays they cover.
  const at = Date.now() - 120_000
  ctx.a = await member(db, KEY_A, 'shop-door', { now: at - 1000 })
  ctx.b = await member(db, KEY_B, 'shop-door', { now: at - 1000 })
  for (const key of [KEY_A, KEY_B]) {
    const ack = await send(ctx.reader.device, enterEnvelope(ctx.reader.device, key, 'shop-door', at))
    if (ack.outcome !== 'recorded') throw new Error(`setup: enter ${ack.outcome} ${ack.reason}`)
  }
  await send(ctx.reader.device, leaveEnvelope(ctx.reader.device, KEY_A, 'shop-door', at, at + 60_000))
  await send(ctx.reader.device, enterEnvelope(ctx.reader.device, KEY_A, 'shop-door', at + 90_000))
})
t.after(async (ctx) => ctx.tc.stop())

const points = (tc: TestCloud, member: string) =>
  Promise.all(
    ['enter', 'leave'].map((measurement) =>
      tc.cloud.series.query({ measurement, from: 0, to: Date.now() + 60_000, where: { member } }),
    ),
  ).then((r) => r.flat())

t('the staff view lists who is present now, with the ref the shop uses', async ({ tc, ops, a, b }) => {
  const res = await tc.cloud.app.inject({
    method: 'GET',
    url: '/api/zones/shop-door/present',
    headers: { authorization: `Bearer ${ops}` },
  })
  assert.is(res.statusCode, 200)
  const present = (res.json().present as Array<{ member: string; ref: string }>).map((p) => [p.member, p.ref])
  assert.equal(
    present.sort(),
    [
      [a.id, `ref-${KEY_A.slice(-4)}`],
      [b.id, `ref-${KEY_B.slice(-4)}`],
    ].sort(),
  )
})

t('the export holds beacons, consents, audit and sessions, as a download', async ({ tc, a }) => {
  const res = await tc.cloud.app.inject({
    method: 'GET',
    url: `/api/members/${a.id}/export`,
    headers: { authorization: `Bearer ${a.token}` },
  })
  assert.is(res.statusCode, 200)
  assert.match(
    String(res.headers['content-disposition']),
    /^attachment; filename="relais-m-[0-9a-f]+\.json"$/,
  )
  const body = res.json()
  assert.equal(Object.keys(body).sort(), ['audit', 'beacons', 'consents', 'exportedAt', 'member', 'sessions'])
  assert.equal(body.member.id, a.id)
  assert.equal(
    body.beacons.map((b: { key: string }) => b.key),
    [KEY_A],
  )
  assert.equal(
    body.consents.map((c: { zone: string }) => c.zone),
    ['shop-door'],
  )
  assert.equal(
    body.audit.map((x: { action: string }) => x.action),
    ['granted'],
  )
  assert.equal(
    body.sessions.map((s: { leftAt: number | null; leaveReason: string | null }) => [
      s.leftAt === null,
      s.leaveReason,
    ]),
    [
      [true, null],
      [false, 'timeout'],
    ],
  )
  assert.not.match(res.body, new RegExp(KEY_B), "nothing of another member's")
})

t(
  'erasure removes sessions, beacons, consents and points; the audit keeps only the pseudonym',
  async (ctx) => {
    const { tc, a, b } = ctx
    await until(async () => ((await points(tc, a.id)).length >= 3 ? true : undefined))
    const bPoints = (
      await until(async () => {
        const p = await points(tc, b.id)
        return p.length >= 1 ? p : undefined
      })
    ).length
    const res = await tc.cloud.app.inject({
      method: 'DELETE',
      url: `/api/members/${a.id}`,
      headers: { authorization: `Bearer ${a.token}` },
    })
    assert.is(res.statusCode, 200, res.body)
    assert.equal(res.json(), { member: a.id, erased: true, timeSeriesErased: true })
    const db = tc.cloud.db
    for (const table of ['presence_sessions', 'beacons', 'consents'] as const) {
      const rows = await db.selectFrom(table).selectAll().where('member_id', '=', a.id).execute()
      assert.is(rows.length, 0, `${table} of the member`)
    }
    assert.is((await db.selectFrom('members').selectAll().where('id', '=', a.id).execute()).length, 0)
    assert.equal(await points(tc, a.id), [], 'their time-series points are gone')
    assert.is((await points(tc, b.id)).length, bPoints, "another member's points stay")
    const audit = await db
      .selectFrom('consent_audit')
      .selectAll()
      .where('member_id', '=', a.id)
      .orderBy('at')
      .execute()
    assert.equal(
      audit.map((x) => [x.action, x.by]),
      [
        ['granted', 'ops:test'],
        ['erased', `member:${a.id}`],
      ],
    )
    assert.not.match(JSON.stringify(audit), /ibeacon|ref-/, 'no beacon key or ref in the audit')

    // The reader's next sighting of the erased beacon is refused: nothing more is recorded.
    const after = await send(ctx.reader.device, enterEnvelope(ctx.reader.device, KEY_A, 'shop-door'))
    assert.equal(after, { outcome: 'refused', reason: 'unknown_beacon' })

    // Erasing again (ops retrying the time-series half) is not an error.
    const again = await tc.cloud.app.inject({
      method: 'DELETE',
      url: `/api/members/${a.id}`,
      headers: { authorization: `Bearer ${ctx.ops}` },
    })
    assert.is(again.statusCode, 200)
  },
)

t.run()
