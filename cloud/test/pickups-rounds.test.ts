// The round service with a real cloud and real MQTT buttons: a press lands on the courier's round
// with a window and the button hears it; a long press takes the stop off; the courier collects or
// finds nothing; ops cancel; a re-born agent hears its buttons' state again.
import type { AckPickup } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import type { PickupChange } from '../src/domains/pickups/pickup-events.js'
import { RelaisError } from '../src/lib/errors.js'
import { type Button, MORNING, type RoundsCloud, startRoundsCloud } from './support/rounds.js'

const t = suite<{ rc: RoundsCloud; changes: PickupChange[]; a: Button; b: Button; c: Button }>(
  'courier rounds',
)
const ROUND = 'ana-2026-03-10'

t.before(async (ctx) => {
  ctx.rc = await startRoundsCloud()
  ctx.changes = []
  ctx.rc.cloud.pickupEvents.on('change', (c) => ctx.changes.push(c))
  await ctx.rc.site('rivoli', 48.8556, 2.3601)
  await ctx.rc.site('bastille', 48.8532, 2.3691)
  await ctx.rc.site('louvre', 48.8606, 2.3376)
  ctx.a = await ctx.rc.button('box-rivoli', 'rivoli')
  ctx.b = await ctx.rc.button('box-bastille', 'bastille')
  ctx.c = await ctx.rc.button('box-louvre', 'louvre')
})
t.after(async (ctx) => ctx.rc.stop())

const scheduled = (id: string | undefined) => (p: AckPickup | undefined) =>
  p !== undefined && p.id === id && p.state === 'scheduled' && p.window !== undefined

async function rejects(p: Promise<unknown>): Promise<RelaisError> {
  try {
    await p
  } catch (err) {
    if (err instanceof RelaisError) return err
    throw err
  }
  throw new Error('expected a RelaisError')
}

t('a press is scheduled on the courier round of today with a window; the button hears it', async (ctx) => {
  const { rc, a } = ctx
  const ack = await a.press('single')
  assert.equal([ack.outcome, ack.pickup?.state], ['pickup_requested', 'requested'])
  const id = ack.pickup!.id
  const cmd = await a.waitCmd('scheduled', scheduled(id))
  const w = cmd.pickup!.window!
  assert.ok(w.from >= MORNING, 'the window opens no earlier than now (10:00)')
  assert.ok(w.to > w.from && w.to - w.from <= 3_600_000, 'a window of at most the courier window width')
  const row = await rc.cloud.db
    .selectFrom('pickup_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  assert.equal([row.state, row.round_id, row.window_from, row.window_to], ['scheduled', ROUND, w.from, w.to])
  const stops = await rc.cloud.db
    .selectFrom('round_stops')
    .selectAll()
    .where('round_id', '=', ROUND)
    .execute()
  assert.equal(
    stops.map((s) => s.request_id),
    [id],
  )
  const view = await rc.cloud.rounds!.pickup(id)
  assert.equal(
    view.transitions?.map((x) => [x.from, x.to, x.by]),
    [
      [null, 'requested', 'box-rivoli/button'],
      ['requested', 'scheduled', 'system'],
    ],
  )
  assert.match(view.transitions![1]!.reason ?? '', ROUND)
  await waitFor('change events', async () =>
    ctx.changes.some(
      (c) => c.requestId === id && c.state === 'scheduled' && c.courierId === 'ana' && c.roundId === ROUND,
    ),
  )
  assert.ok(
    ctx.changes.some((c) => c.requestId === id && c.state === 'requested'),
    'the press itself is a change',
  )
})

t('a long press takes the stop off the round, which is planned again without it', async (ctx) => {
  const { rc, a, b } = ctx
  const idB = (await b.press('single')).pickup!.id
  await b.waitCmd('scheduled', scheduled(idB))
  const round = await rc.cloud.rounds!.roundOf('ana')
  assert.is(round.stops.length, 2)
  const idA = (await a.press('double')).pickup!.id
  const cancelled = await a.press('long')
  assert.equal([cancelled.outcome, cancelled.pickup?.id], ['pickup_cancelled', idA])
  const after = await waitFor('a re-plan without the cancelled stop', async () => {
    const r = await rc.cloud.rounds!.roundOf('ana')
    return r.revision > round.revision && r
  })
  assert.equal(
    after.stops.map((s) => s.request.id),
    [idB],
  )
  const rows = await rc.cloud.db
    .selectFrom('round_stops')
    .select('request_id')
    .where('round_id', '=', ROUND)
    .execute()
  assert.equal(
    rows.map((r) => r.request_id),
    [idB],
  )
  assert.is(after.stops[0]!.site.id, 'bastille')
  assert.match(
    after.stops[0]!.mapUrl,
    /^https:\/\/www\.openstreetmap\.org\/\?mlat=48\.8532&mlon=2\.3691#map=18\//,
  )
})

t('collect and not found close requests, keep their transitions and tell the buttons', async (ctx) => {
  const { rc, b, c } = ctx
  const rounds = rc.cloud.rounds!
  const idB = (await b.press('double')).pickup!.id
  const idC = (await c.press('single')).pickup!.id
  await c.waitCmd('scheduled', scheduled(idC))
  const seen = b.cmds.length
  const collected = await rounds.collect(idB, 'courier:ana', 'two parcels')
  assert.equal([collected.state, collected.reason], ['collected', 'two parcels'])
  assert.equal(
    collected.transitions?.map((x) => [x.from, x.to, x.by]),
    [
      [null, 'requested', 'box-bastille/button'],
      ['requested', 'scheduled', 'system'],
      ['scheduled', 'collected', 'courier:ana'],
    ],
  )
  const cmd = await b.waitCmd('collected', (p) => p?.id === idB && p.state === 'collected', seen)
  assert.is(cmd.pickup?.reason, undefined, 'a collected request carries no closing reason')

  const again = await rejects(rounds.collect(idB, 'courier:ana'))
  assert.equal([again.code, again.status], ['conflict', 409])
  const unknown = await rejects(rounds.collect('nope', 'courier:ana'))
  assert.equal([unknown.code, unknown.status], ['not_found', 404])
  const noReason = await rejects(rounds.notFound(idC, 'courier:ana', '  '))
  assert.is(noReason.code, 'invalid_request')
  assert.is((await rounds.pickup(idC)).state, 'scheduled', 'a refused action changes nothing')

  const nf = await rounds.notFound(idC, 'courier:ana', 'nothing in the box')
  assert.equal([nf.state, nf.reason], ['not_found', 'nothing in the box'])
  await c.waitCmd(
    'not found',
    (p) => p?.id === idC && p.state === 'not_found' && p.reason === 'nothing in the box',
  )
  const round = await waitFor('the round re-planned after the stops were served', async () => {
    const r = await rounds.roundOf('ana')
    return r.stops.length === 0 && r
  })
  assert.equal(
    round.done.map((p) => [p.id, p.state]),
    [
      [idB, 'collected'],
      [idC, 'not_found'],
    ],
  )
  const points = await waitFor('pickup_transition points', async () => {
    const rows = await rc.cloud.series.query({
      measurement: 'pickup_transition',
      from: 0,
      to: Number.MAX_SAFE_INTEGER,
      where: { courier: 'ana', from: 'scheduled' },
    })
    return rows.length >= 2 && rows
  })
  assert.equal(points.map((p) => [p.tags.site, p.tags.to]).sort(), [
    ['bastille', 'collected'],
    ['louvre', 'not_found'],
  ])
  const site = await rounds.siteView('louvre')
  assert.equal([site.current, site.history.map((p) => p.id)], [null, [idC]])
  assert.is(site.history[0]!.transitions?.at(-1)?.to, 'not_found')
})

t('ops staff cancel an open request; the button is told why', async (ctx) => {
  const { rc, a } = ctx
  const id = (await a.press('single')).pickup!.id
  await a.waitCmd('scheduled', scheduled(id))
  const view = await rc.cloud.rounds!.cancel(id, 'ops:tok1', 'customer phoned')
  assert.equal([view.state, view.reason], ['cancelled', 'customer phoned'])
  await a.waitCmd(
    'cancelled',
    (p) => p?.id === id && p.state === 'cancelled' && p.reason === 'customer phoned',
  )
  const err = await rejects(rc.cloud.rounds!.notFound(id, 'courier:ana', 'nothing in the box'))
  assert.is(err.status, 409)
})

t('after a birth, each button of the agent is told its latest request again', async (ctx) => {
  const { rc, b } = ctx
  const latest = await rc.cloud.db
    .selectFrom('pickup_requests')
    .selectAll()
    .where('agent_id', '=', 'box-bastille')
    .orderBy('updated_at', 'desc')
    .executeTakeFirstOrThrow()
  const seen = b.cmds.length
  await b.birth()
  const cmd = await b.waitCmd('re-sent state', (p) => p !== undefined, seen)
  assert.equal([cmd.pickup?.id, cmd.pickup?.state], [latest.id, latest.state])

  // A button that never asked for anything hears "nothing", so it clears whatever it showed.
  await rc.site('opera', 48.8719, 2.3316)
  const fresh = await rc.button('box-opera', 'opera')
  await fresh.birth()
  await waitFor('an empty cmd/pickup', async () => fresh.cmds.length === 1)
  assert.is(fresh.cmds[0]!.pickup, undefined)
})

t.run()
