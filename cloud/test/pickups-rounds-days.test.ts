// Which day a request is collected, on the round service's clock: after the shift it is tomorrow's
// round; a day that passed rolls its open requests onto a new round; requests nobody collected
// expire; a request with no courier at all waits until one is added.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { assignSiteCourier } from '../src/domains/couriers/couriers.js'
import { localTime } from '../src/domains/pickups/local-time.js'
import { startRoundsCloud, TZ } from './support/rounds.js'

const t = suite('courier rounds across days')

t('a press the courier can no longer reach before the shift ends goes to tomorrow', async () => {
  const rc = await startRoundsCloud()
  try {
    // 4.3 km from the hub: about 9 minutes at 30 km/h. At 17:30 it is today, at 17:55 tomorrow.
    await rc.site('nation', 48.8483, 2.3959)
    await rc.site('republique', 48.8675, 2.3637)
    const late = await rc.button('box-nation', 'nation')
    const early = await rc.button('box-republique', 'republique')

    rc.clock.now = localTime('2026-03-10', 17 * 60 + 30, TZ)
    const idEarly = (await early.press('single')).pickup!.id
    const e = await early.waitCmd('scheduled', (p) => p?.id === idEarly && p.state === 'scheduled')
    assert.ok(e.pickup!.window!.to <= localTime('2026-03-10', 18 * 60 + 30, TZ), 'today, before 18:30')

    rc.clock.now = localTime('2026-03-10', 17 * 60 + 55, TZ)
    const idLate = (await late.press('single')).pickup!.id
    const l = await late.waitCmd('scheduled', (p) => p?.id === idLate && p.state === 'scheduled')
    const tomorrow8 = localTime('2026-03-11', 8 * 60, TZ)
    assert.ok(l.pickup!.window!.from >= tomorrow8, 'the window opens at 08:00 tomorrow or later')
    assert.ok(l.pickup!.window!.to <= tomorrow8 + 3_600_000, 'it is the first stop of the morning')
    const rows = await rc.cloud.db
      .selectFrom('pickup_requests')
      .select(['id', 'round_id'])
      .orderBy('id')
      .execute()
    assert.equal(rows.map((r) => r.round_id).sort(), ['ana-2026-03-10', 'ana-2026-03-11'])
    const round = await rc.cloud.rounds!.roundOf('ana', '2026-03-11')
    assert.equal(
      round.stops.map((s) => s.request.id),
      [idLate],
    )
    assert.is(round.startsAt, tomorrow8)
  } finally {
    await rc.stop()
  }
})

t(
  'when a day passes, its open requests roll onto the next round and the button hears the new window',
  async () => {
    const rc = await startRoundsCloud()
    try {
      await rc.site('rivoli', 48.8556, 2.3601)
      const box = await rc.button('box-rivoli', 'rivoli')
      const id = (await box.press('single')).pickup!.id
      const first = await box.waitCmd('scheduled', (p) => p?.id === id && p.state === 'scheduled')
      // Nobody came on the 10th: on the 11th at 09:00 the tick moves it to the 11th's round.
      rc.clock.now = localTime('2026-03-11', 9 * 60, TZ)
      const seen = box.cmds.length
      await rc.cloud.rounds!.tick()
      await rc.settle()
      const moved = await box.waitCmd('a new window', (p) => p?.id === id && p.state === 'scheduled', seen)
      assert.ok(moved.pickup!.window!.from >= rc.clock.now, 'the new window is on the 11th, from 09:00')
      assert.ok(moved.pickup!.window!.from > first.pickup!.window!.to)
      const row = await rc.cloud.db
        .selectFrom('pickup_requests')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      assert.equal([row.state, row.round_id], ['scheduled', 'ana-2026-03-11'])
      const old = await rc.cloud.db
        .selectFrom('round_stops')
        .selectAll()
        .where('round_id', '=', 'ana-2026-03-10')
        .execute()
      assert.is(old.length, 0, 'the passed round keeps no open stop')
    } finally {
      await rc.stop()
    }
  },
)

t('an open request older than RELAIS_PICKUP_EXPIRE_H expires; a younger one stays', async () => {
  const rc = await startRoundsCloud({ env: { RELAIS_PICKUP_EXPIRE_H: '72' } })
  try {
    await rc.site('rivoli', 48.8556, 2.3601)
    await rc.site('louvre', 48.8606, 2.3376)
    const oldBox = await rc.button('box-rivoli', 'rivoli')
    const newBox = await rc.button('box-louvre', 'louvre')
    const idOld = (await oldBox.press('single')).pickup!.id
    const idNew = (await newBox.press('single')).pickup!.id
    await rc.settle()
    // Presses carry the real time; the service's clock moves 72 h past the first one only.
    const row = await rc.cloud.db
      .selectFrom('pickup_requests')
      .selectAll()
      .where('id', '=', idOld)
      .executeTakeFirstOrThrow()
    await rc.cloud.db
      .updateTable('pickup_requests')
      .set({ requested_at: Number(row.requested_at) - 3_600_000 })
      .where('id', '=', idOld)
      .execute()
    rc.clock.now = Number(row.requested_at) + 72 * 3_600_000 - 60_000
    await rc.cloud.rounds!.tick()
    await rc.settle()
    const cmd = await oldBox.waitCmd('expired', (p) => p?.id === idOld && p.state === 'expired')
    assert.is(cmd.pickup!.reason, 'not collected within 72 h')
    const view = await rc.cloud.rounds!.pickup(idOld)
    assert.equal(view.transitions!.at(-1), {
      from: 'scheduled',
      to: 'expired',
      at: rc.clock.now,
      by: 'system',
      reason: 'not collected within 72 h',
    })
    const young = await rc.cloud.rounds!.pickup(idNew)
    assert.is(young.state, 'scheduled')
    assert.ok(!newBox.cmds.some((c) => c.pickup?.state === 'expired'))
  } finally {
    await rc.stop()
  }
})

t(
  'with no courier, a request stays requested and is logged; once a courier exists the tick schedules it',
  async () => {
    const rc = await startRoundsCloud({ courier: false })
    try {
      await rc.site('rivoli', 48.8556, 2.3601)
      const box = await rc.button('box-rivoli', 'rivoli')
      const id = (await box.press('single')).pickup!.id
      await rc.settle()
      await rc.cloud.rounds!.tick()
      await rc.settle()
      const row = await rc.cloud.db
        .selectFrom('pickup_requests')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      assert.equal([row.state, row.round_id], ['requested', null])
      assert.ok(rc.logs.some((l) => l.includes('no courier to collect it') && l.includes(id)))
      assert.is(box.cmds.length, 0, 'the button keeps showing "requested"')

      await rc.courier({ id: 'ben' })
      await rc.cloud.rounds!.tick()
      await rc.settle()
      const cmd = await waitFor('scheduled', async () =>
        box.cmds.find((c) => c.pickup?.state === 'scheduled'),
      )
      assert.is(cmd.pickup!.id, id)
      const after = await rc.cloud.db
        .selectFrom('pickup_requests')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      assert.equal([after.state, after.round_id], ['scheduled', 'ben-2026-03-10'])
    } finally {
      await rc.stop()
    }
  },
)

t('a site given another courier moves its open request to their round at the next tick', async () => {
  const rc = await startRoundsCloud()
  try {
    await rc.courier({ id: 'ben', shift: '09:00-17:00' })
    await rc.site('rivoli', 48.8556, 2.3601)
    const box = await rc.button('box-rivoli', 'rivoli')
    const id = (await box.press('single')).pickup!.id
    await box.waitCmd('scheduled', (p) => p?.id === id && p.state === 'scheduled')
    // Both couriers work from the hub: the tie goes to the smaller id.
    assert.is((await rc.cloud.rounds!.pickup(id)).roundId, 'ana-2026-03-10')
    await assignSiteCourier(rc.cloud.db, 'rivoli', 'ben')
    await rc.cloud.rounds!.tick()
    await rc.settle()
    assert.is((await rc.cloud.rounds!.pickup(id)).roundId, 'ben-2026-03-10')
    const [ana, ben] = await Promise.all([rc.cloud.rounds!.roundOf('ana'), rc.cloud.rounds!.roundOf('ben')])
    assert.equal([ana.stops.length, ben.stops.map((s) => s.request.id)], [0, [id]])
  } finally {
    await rc.stop()
  }
})

t.run()
