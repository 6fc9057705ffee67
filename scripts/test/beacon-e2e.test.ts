// Issue 5's proof, end to end: an in-process cloud (Aedes, SQLite, ingest, the allow-list publisher, the
// HTTP API) and a real edge agent whose beacon reader replays a recorded capture (JSON lines, written
// here from the shop-door scenario: opted-in members walking in, lingering and leaving, one lingering at
// the edge of range, forty other beacons, and one registered to a member who never consented).
// Provisioned through the CLI and the API. The capture plays on a clock the test moves a second at a
// time, so six minutes of shop door take seconds and nothing depends on the machine's speed. Then: the
// staff view and the members' exports hold exactly the opted-in members' stays; nothing of the others
// reaches the cloud; a withdrawn consent stops that member's events at the config push that carries
// it; an erased member's sessions and time-series points are gone.
import { rmSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { MemberData } from '../../cloud/src/domains/presence/member-data.js'
import { APPROACH_MS } from '../../simulators/src/index.js'
import { waitFor } from '../testkit/services.js'
import { type DoorCtx, LEAVE_TIMEOUT_MS, startDoor } from './support/door-e2e.js'
import { checkStaffView, playTo, presentNow, step } from './support/door-play.js'

const t = suite<DoorCtx>('beacon reader end to end: a replayed shop door')

// uvu reports a failing before hook only as failed tests, without its error: print it.
t.before((ctx) =>
  startDoor(ctx).catch((err: unknown) => {
    console.error(err)
    throw err
  }),
)

t.after(async (ctx) => {
  await ctx.agent?.stop()
  await ctx.cloud?.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

const stored = (ctx: DoorCtx) => ctx.lines.filter((l) => l.msg === 'presence event stored')
const acked = (ctx: DoorCtx) =>
  ctx.lines.filter(
    (l) => l.msg === 'presence event acknowledged' || l.msg === 'presence event refused by the cloud',
  )

t('the staff view follows the opted-in visitors in and out, never the edge one', async (ctx) => {
  const b = ctx.revoked.beacon
  // Halfway through their stay at the counter.
  const revokeAt = Math.round((b.arriveMs + APPROACH_MS + b.lingerMs / 2) / 1000) * 1000
  const sizes = new Set<number>()
  await playTo(ctx, revokeAt, () => checkStaffView(ctx, sizes))
  assert.ok(sizes.has(0) && sizes.has(2), `the shop was empty, then busy (sizes seen: ${[...sizes]})`)
  assert.ok((await presentNow(ctx)).has(ctx.revoked.member), 'the member about to withdraw is in the shop')
})

t('a member withdraws in the shop: the config push that carries it stops their events', async (ctx) => {
  const v = ctx.revoked
  const revision = ctx.reader.revision
  const from = ctx.lines.length
  let answered = false
  const answer = ctx.api
    .ok<{ revokedAt: number | null }>(v.token, 'DELETE', `/members/${v.member}/consents/${v.consent}`)
    .finally(() => {
      answered = true
    })
  ctx.revokeAt = ctx.clock.offset
  // The door stays busy while the withdrawal travels: the reader goes on hearing everyone.
  await waitFor('the withdrawal answered and its list at the reader', async () => {
    step(ctx)
    return answered && ctx.reader.revision !== revision
  })
  assert.ok((await answer).revokedAt !== null)
  assert.not.ok((await presentNow(ctx)).has(v.member), 'the staff view dropped them at once')
  const pushed = ctx.lines.findIndex(
    (l, i) => i >= from && l.msg === 'allow-list applied' && l.from === 'cloud' && (l.revoked ?? 0) > 0,
  )
  assert.ok(pushed >= 0, 'the reader applied a list without them')
  assert.is(ctx.lines[pushed]!.revoked, 1, 'only their beacon was taken off')

  // Past the end of their visit and its timeout: without the withdrawal, their leave would be sent.
  const gone = v.beacon.arriveMs + 2 * APPROACH_MS + v.beacon.lingerMs + LEAVE_TIMEOUT_MS + 2000
  await playTo(ctx, gone, () => checkStaffView(ctx))
  const theirs = stored(ctx).filter((l) => l.beacon === v.key)
  assert.ok(theirs.length >= 1 && theirs[0]!.event === 'enter', 'their enter was stored before')
  const ids = new Set(theirs.map((l) => l.msgId))
  const after = ctx.lines.slice(pushed + 1)
  assert.equal(
    after.filter((l) => l.msg === 'presence event stored' && l.beacon === v.key),
    [],
    'nothing of theirs stored after the list arrived',
  )
  assert.equal(
    after.filter((l) => l.msg === 'presence event acknowledged' && ids.has(l.msgId)),
    [],
    'nothing of theirs acked after the list arrived',
  )
})

t("each member's export holds exactly their stays; no flap, nothing for the edge one", async (ctx) => {
  const end = ctx.s.advertisements.at(-1)!.at + LEAVE_TIMEOUT_MS + 2000
  await playTo(ctx, end, () => checkStaffView(ctx))
  assert.equal([...(await presentNow(ctx))], [], 'the shop is empty at closing')
  for (const v of ctx.visitors) {
    const x = await ctx.api.ok<MemberData>(v.token, 'GET', `/members/${v.member}/export`)
    const b = v.beacon
    if (b.kind !== 'visit') {
      assert.equal(x.sessions, [], 'the one at the edge of range never entered')
      continue
    }
    assert.is(x.sessions.length, 1, `${v.member}: one stay for one visit`)
    const s = x.sessions[0]!
    assert.equal([s.zone, s.beacon, s.agent, s.device], ['shop-door', v.key, 'door-pi', 'ble-0'])
    const counter = b.arriveMs + APPROACH_MS + b.lingerMs
    const entered = s.enteredAt - ctx.clock.start
    assert.ok(entered >= b.arriveMs && entered <= counter, `${v.member}: entered while walking in`)
    if (v === ctx.revoked) {
      assert.is(s.leaveReason, 'revoked', 'their stay was closed by the withdrawal')
      // Closed at the cloud's time, which the test's clock has run ahead of: never before it began.
      assert.is(s.leftAt, s.enteredAt, 'it ends no earlier than it began')
      continue
    }
    const left = s.leftAt! - ctx.clock.start
    assert.ok(left >= counter && left <= counter + APPROACH_MS, `${v.member}: left while walking away`)
    assert.ok(s.leaveReason === 'timeout' || s.leaveReason === 'weak', String(s.leaveReason))
  }
  const stranger = await ctx.api.ok<MemberData>(
    ctx.stranger.token,
    'GET',
    `/members/${ctx.stranger.member}/export`,
  )
  assert.equal([stranger.sessions, stranger.consents], [[], []], 'the one who never consented: nothing')
})

t('nothing of the other beacons reaches the cloud: the reader dropped them', async (ctx) => {
  const allowed = new Set(ctx.visitors.map((v) => v.key))
  const events = stored(ctx)
  assert.ok(events.length >= 5, 'enters and leaves were stored')
  for (const e of events) assert.ok(allowed.has(e.beacon!), 'the outbox only ever held opted-in beacons')
  assert.is(events.length, ctx.reader.totals.events)
  assert.ok(ctx.reader.totals.dropped_not_allowed > 1000, 'the others were heard, and dropped on the reader')
  const refused = ctx.cloud.ingest.metrics.refused
  assert.is(refused.get('unknown_beacon') ?? 0, 0, 'no unregistered beacon reached the cloud')
  assert.is(refused.get('wrong_zone') ?? 0, 0)
  // As ops see it too: the Prometheus endpoint counts no refusal of an unregistered or misplaced beacon.
  const metrics = await fetch(`http://127.0.0.1:${ctx.cloud.httpPort}/metrics`, {
    headers: { authorization: `Bearer ${ctx.ops}` },
  })
  assert.is(metrics.status, 200)
  const text = await metrics.text()
  assert.match(text, /relais_ingest_received_total [1-9]/, 'it counted what the reader sent')
  assert.not.match(text, /relais_ingest_refused_total\{reason="(unknown_beacon|wrong_zone)"\} [1-9]/)
  const refusedAtReader = ctx.lines.filter((l) => l.msg === 'presence event refused by the cloud').length
  assert.is(refused.get('no_consent') ?? 0, refusedAtReader, "the stranger's beacon never did either")
  const processed = await ctx.cloud.db
    .selectFrom('processed_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agent_id', '=', 'door-pi')
    .executeTakeFirstOrThrow()
  assert.is(Number(processed.n), acked(ctx).length, 'the cloud applied exactly what the reader had acked')
  assert.is(ctx.agent.outbox.depth, 0)
  const config = await ctx.cloud.db
    .selectFrom('agent_configs')
    .select('data')
    .where('agent_id', '=', 'door-pi')
    .executeTakeFirstOrThrow()
  assert.not.ok(config.data.includes(ctx.stranger.key), "the stranger's key was never on the list")
})

t("erasing a member removes their sessions and time-series points, and no one else's", async (ctx) => {
  const v = ctx.erased
  const other = ctx.visitors.find((x) => x.beacon.kind === 'visit' && x !== v && x !== ctx.revoked)!
  const points = async (member: string) =>
    (
      await Promise.all(
        ['enter', 'leave'].map((measurement) =>
          ctx.cloud.series.query({
            measurement,
            from: 0,
            to: ctx.clock.now() + 3_600_000,
            where: { member },
          }),
        ),
      )
    ).flat()
  await waitFor('their enter and leave points written', async () => (await points(v.member)).length === 2)
  await waitFor("the other visitor's points written", async () => (await points(other.member)).length === 2)
  const r = await ctx.api.ok(v.token, 'DELETE', `/members/${v.member}`)
  assert.equal(r, { member: v.member, erased: true, timeSeriesErased: true })
  const rows = await ctx.cloud.db
    .selectFrom('presence_sessions')
    .select('id')
    .where('member_id', '=', v.member)
    .execute()
  assert.equal(rows, [], 'their sessions are gone')
  assert.equal(await points(v.member), [], 'their points are gone')
  assert.is((await points(other.member)).length, 2, "the other visitor's points stay")
  assert.is(
    (await ctx.api.call(v.token, 'GET', `/members/${v.member}/export`)).status,
    401,
    'their token went too',
  )
  const kept = await ctx.api.ok<MemberData>(other.token, 'GET', `/members/${other.member}/export`)
  assert.is(kept.sessions.length, 1)
})

t.run()
