// Instances whose optimum is known from geometry, beyond the sizes Held-Karp can check: points on a
// circle (the optimum is the circle order), on a line, and on a grid.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { EARTH_RADIUS_M, planRoute } from '../src/domains/pickups/route/index.js'

const t = suite('route geometry')

/** The order is the circle's order, one way round or the other, starting next to the depot. */
function assertCircleOrder(order: string[], n: number) {
  const forward = Array.from({ length: n }, (_, k) => `p${k + 1}`)
  const backward = [...forward].reverse()
  assert.ok(
    order.join() === forward.join() || order.join() === backward.join(),
    `not the circle order: ${order.join()}`,
  )
}

t('60 points on a circle, depot on it: the circle order, and the polygon as length', () => {
  const n = 60
  const r = 500
  const point = (k: number) => {
    const a = (2 * Math.PI * k) / (n + 1)
    return { x: r * Math.cos(a), y: r * Math.sin(a) }
  }
  // Listed by id as text (p1, p10, p11, ..., p2, ...), so the planner cannot just keep the input order.
  const stops = Array.from({ length: n }, (_, k) => ({ id: `p${k + 1}`, ...point(k + 1) })).sort((a, b) =>
    a.id.localeCompare(b.id),
  )
  const plan = planRoute({ metric: 'euclidean', depot: point(0), stops })
  assertCircleOrder(plan.order, n)
  const side = 2 * r * Math.sin(Math.PI / (n + 1))
  assert.ok(Math.abs(plan.length - (n + 1) * side) < 1e-6, `length ${plan.length}`)
})

t('30 points on a 2 km circle around Paris (haversine): the circle order', () => {
  const n = 30
  const deg = (2000 / EARTH_RADIUS_M) * (180 / Math.PI)
  const point = (k: number) => {
    const a = (2 * Math.PI * k) / (n + 1)
    return {
      lat: 48.8566 + deg * Math.sin(a),
      lon: 2.3522 + (deg * Math.cos(a)) / Math.cos((48.8566 * Math.PI) / 180),
    }
  }
  const stops = Array.from({ length: n }, (_, k) => ({ id: `p${k + 1}`, ...point(k + 1) })).reverse()
  for (const closed of [true, false]) {
    const plan = planRoute({ metric: 'haversine', depot: point(0), stops, closed })
    // Open, the optimum drops one edge of the polygon; all are equal, so it is still the circle order.
    assertCircleOrder(plan.order, n)
  }
})

t('stops on a line, depot at one end: open goes out in order, closed goes out and back', () => {
  const xs = [7, 3, 19, 11, 2, 15, 5, 13, 17, 1, 9, 20, 4, 8, 16, 6, 12, 10, 18, 14]
  const stops = xs.map((x) => ({ id: `x${x}`, x, y: 0 }))
  const open = planRoute({ metric: 'euclidean', depot: { x: 0, y: 0 }, stops, closed: false })
  assert.equal(
    open.order,
    [...xs].sort((a, b) => a - b).map((x) => `x${x}`),
  )
  assert.is(open.length, 20)
  const closed = planRoute({ metric: 'euclidean', depot: { x: 0, y: 0 }, stops })
  assert.is(closed.length, 40)
})

t('stops on a line, depot in the middle, open: the short side first, then the long one', () => {
  const stops = [-4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((x) => ({ id: `x${x}`, x, y: 0 }))
  const plan = planRoute({ metric: 'euclidean', depot: { x: 0, y: 0 }, stops, closed: false })
  assert.is(plan.length, 2 * 4 + 10)
  assert.equal(plan.order.slice(0, 4), ['x-1', 'x-2', 'x-3', 'x-4'])
})

t('a 6 x 5 grid, depot in a corner: a closed tour of 30 unit edges (an even grid has one)', () => {
  const stops = []
  for (let x = 0; x < 6; x++)
    for (let y = 0; y < 5; y++) if (x + y > 0) stops.push({ id: `g${x}-${y}`, x, y })
  const plan = planRoute({ metric: 'euclidean', depot: { x: 0, y: 0 }, stops })
  assert.ok(Math.abs(plan.length - 30) < 1e-9, `length ${plan.length}`)
})

t.run()
