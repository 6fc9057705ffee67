// ETAs from a planned round: arrival = departure + legs driven at the given speed + the service time
// at every earlier stop; the window is centred on the arrival and never opens before the round starts.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { planRoute, scheduleStops } from '../src/domains/pickups/route/index.js'

const t = suite('route schedule')
const START = Date.UTC(2026, 10, 23, 8, 0, 0)

t('arrivals add up the legs at the speed and the service time of each earlier stop', () => {
  const plan = { order: ['a', 'b', 'c'], legs: [1000, 500, 2500, 4000] }
  const etas = scheduleStops(plan, { startAt: START, speedMps: 10, serviceS: 120, windowS: 1800 })
  assert.equal(
    etas.map((e) => [e.id, (e.arrival - START) / 1000, (e.departure - START) / 1000]),
    [
      ['a', 100, 220],
      ['b', 270, 390],
      ['c', 640, 760],
    ],
  )
  // Centred windows of 30 min; these would open before the round starts, so they open at the start.
  assert.equal(etas[0]!.etaWindow, { from: START, to: START + 100_000 + 900_000 })
  assert.equal(etas[2]!.etaWindow, { from: START, to: START + 640_000 + 900_000 })
  // An hour out, the window is the full half hour either side.
  const late = scheduleStops(
    { order: ['x'], legs: [36_000] },
    { startAt: START, speedMps: 10, serviceS: 0, windowS: 1800 },
  )
  assert.equal(late[0]!.etaWindow, { from: START + 3_600_000 - 900_000, to: START + 3_600_000 + 900_000 })
})

t('a planned round: one ETA per stop in order, arrivals increasing, the window as wide as asked', () => {
  const plan = planRoute({
    metric: 'haversine',
    depot: { lat: 48.8566, lon: 2.3522 },
    stops: [
      { id: 'louvre', lat: 48.8606, lon: 2.3376 },
      { id: 'bastille', lat: 48.8532, lon: 2.3691 },
      { id: 'opera', lat: 48.872, lon: 2.3316 },
    ],
  })
  const etas = scheduleStops(plan, { startAt: START, speedMps: 5, serviceS: 180, windowS: 600 })
  assert.equal(
    etas.map((e) => e.id),
    plan.order,
  )
  for (let k = 1; k < etas.length; k++) assert.ok(etas[k]!.arrival > etas[k - 1]!.departure)
  const lastLeg = etas[etas.length - 1]!
  assert.is(lastLeg.etaWindow.to - lastLeg.etaWindow.from, 600_000)
  assert.equal(
    scheduleStops({ order: [], legs: [] }, { startAt: START, speedMps: 5, serviceS: 0, windowS: 0 }),
    [],
  )
})

t.run()
