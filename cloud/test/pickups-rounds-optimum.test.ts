// Ten buttons at ten sites press at once: one round holds exactly their requests, in an order no
// worse than 10 % over the shortest closed tour (found here by an independent Held-Karp), with
// windows in visiting order; the burst costs fewer re-plans than presses.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { haversine } from '../src/domains/pickups/route/index.js'
import { HUB, type RoundsCloud, startRoundsCloud } from './support/rounds.js'

const t = suite<{ rc: RoundsCloud }>('a round of ten')

const SITES = [
  { id: 'louvre', lat: 48.8606, lon: 2.3376 },
  { id: 'bastille', lat: 48.8532, lon: 2.3691 },
  { id: 'montmartre', lat: 48.8867, lon: 2.3431 },
  { id: 'eiffel', lat: 48.8584, lon: 2.2945 },
  { id: 'nation', lat: 48.8483, lon: 2.3959 },
  { id: 'pantheon', lat: 48.8462, lon: 2.3464 },
  { id: 'opera', lat: 48.8719, lon: 2.3316 },
  { id: 'republique', lat: 48.8675, lon: 2.3637 },
  { id: 'invalides', lat: 48.8566, lon: 2.3126 },
  { id: 'belleville', lat: 48.8721, lon: 2.3769 },
]

/** The shortest closed tour from the depot through every point (Held-Karp, exact). */
function optimum(points: Array<{ lat: number; lon: number }>): number {
  const all = [HUB, ...points]
  const n = points.length
  const d = (i: number, j: number) => haversine(all[i]!.lat, all[i]!.lon, all[j]!.lat, all[j]!.lon)
  // best[mask][j]: shortest path from the depot through the stops of mask, ending at stop j (1-based).
  const best = new Float64Array((1 << n) * n).fill(Number.POSITIVE_INFINITY)
  for (let j = 0; j < n; j++) best[(1 << j) * n + j] = d(0, j + 1)
  for (let mask = 1; mask < 1 << n; mask++) {
    for (let j = 0; j < n; j++) {
      const here = best[mask * n + j]!
      if (!(mask & (1 << j)) || here === Number.POSITIVE_INFINITY) continue
      for (let k = 0; k < n; k++) {
        if (mask & (1 << k)) continue
        const next = (mask | (1 << k)) * n + k
        best[next] = Math.min(best[next]!, here + d(j + 1, k + 1))
      }
    }
  }
  let out = Number.POSITIVE_INFINITY
  for (let j = 0; j < n; j++) out = Math.min(out, best[((1 << n) - 1) * n + j]! + d(j + 1, 0))
  return out
}

t.before(async (ctx) => {
  ctx.rc = await startRoundsCloud()
})
t.after(async (ctx) => ctx.rc.stop())

t(
  'one round holds exactly the open requests, in a near-optimal order, after few re-plans',
  async ({ rc }) => {
    const buttons = []
    for (const s of SITES) {
      await rc.site(s.id, s.lat, s.lon)
      buttons.push(await rc.button(`box-${s.id}`, s.id))
    }
    // A site that pressed and cancelled before: not open, so not a stop.
    await rc.site('cite', 48.853, 2.3499)
    const gone = await rc.button('box-cite', 'cite')
    await gone.press('single')
    await gone.press('long')
    await rc.settle()
    const before = (await rc.cloud.rounds!.roundOf('ana')).revision

    const acks = await Promise.all(buttons.map((b) => b.press('single')))
    const ids = acks.map((a) => a.pickup!.id)
    await Promise.all(
      buttons.map((b, i) => b.waitCmd('scheduled', (p) => p?.id === ids[i] && p.state === 'scheduled')),
    )
    await rc.settle()
    const round = await rc.cloud.rounds!.roundOf('ana')
    assert.equal(round.stops.map((s) => s.request.id).sort(), [...ids].sort(), 'exactly the open requests')
    assert.equal(
      round.stops.map((s) => s.seq),
      [...Array(10).keys()],
    )
    const tour = [HUB, ...round.stops.map((s) => s.site), HUB]
    let length = 0
    for (let k = 1; k < tour.length; k++)
      length += haversine(tour[k - 1]!.lat, tour[k - 1]!.lon, tour[k]!.lat, tour[k]!.lon)
    const best = optimum(SITES)
    assert.ok(length <= best * 1.1, `tour ${length.toFixed(0)} m vs optimum ${best.toFixed(0)} m`)
    assert.ok(Math.abs(round.lengthM - length) < 1, 'the round stores the length of its order')
    for (let k = 1; k < round.stops.length; k++) {
      assert.ok(round.stops[k]!.arrival > round.stops[k - 1]!.arrival, 'arrivals follow the order')
      assert.ok(round.stops[k]!.window.from >= round.stops[k - 1]!.window.from, 'windows follow the order')
    }
    // Ten presses folded into fewer re-plans (serial-jobs.ts): each re-plan bumps the revision once.
    const replans = round.revision - before
    console.log(
      `  10 presses: ${replans} re-plans; tour ${length.toFixed(0)} m, optimum ${best.toFixed(0)} m`,
    )
    assert.ok(replans >= 1 && replans < 10, `${replans} re-plans for 10 presses`)
  },
)

t('thirty presses in a burst cost a few re-plans', async ({ rc }) => {
  const sites = Array.from({ length: 30 }, (_, i) => ({
    id: `s-${i}`,
    lat: 48.83 + (i % 6) * 0.01,
    lon: 2.3 + Math.floor(i / 6) * 0.015,
  }))
  const buttons = []
  for (const s of sites) {
    await rc.site(s.id, s.lat, s.lon)
    buttons.push(await rc.button(`box-${s.id}`, s.id))
  }
  await rc.settle()
  const planned = () => rc.logs.filter((l) => l.includes('"round planned"')).length
  const before = planned()
  const acks = await Promise.all(buttons.map((b) => b.press('single')))
  await Promise.all(
    buttons.map((b, i) =>
      b.waitCmd('scheduled', (p) => p?.id === acks[i]!.pickup!.id && p.state === 'scheduled'),
    ),
  )
  await rc.settle()
  const replans = planned() - before
  console.log(`  30 presses in a burst: ${replans} re-plans`)
  assert.ok(replans >= 1 && replans <= 10, `${replans} re-plans for 30 presses`)
  const round = await waitFor('40 stops', async () => {
    const r = await rc.cloud.rounds!.roundOf('ana')
    return r.stops.length === 40 && r
  })
  assert.is(new Set(round.stops.map((s) => s.request.id)).size, 40)
})

t.run()
