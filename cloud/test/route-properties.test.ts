// Properties that hold for every input, whatever the coordinates: the order is a permutation of the
// stops, the length is the sum of the legs, improvement never lengthens a tour, and the same input
// always gives the same route.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  cheapestInsertion,
  distanceMatrix,
  improve,
  nearestNeighbour,
  type PlanInput,
  pathLength,
  pathProblem,
  planRoute,
  tourLength,
  twoOpt,
  validatePoints,
} from '../src/domains/pickups/route/index.js'

const t = suite('route properties')
const RUNS = { numRuns: 150, seed: 1976 }

const coordinate = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
const geo = fc.record({ lat: coordinate(-90, 90), lon: coordinate(-180, 180) })
/** Clustered points too: duplicates and ties are where index bookkeeping breaks. */
const plane = fc.oneof(
  fc.record({ x: coordinate(-1e4, 1e4), y: coordinate(-1e4, 1e4) }),
  fc.record({ x: fc.integer({ min: 0, max: 3 }), y: fc.integer({ min: 0, max: 3 }) }),
)

/** A depot and 0 to 40 stops; half the time exactUpTo: 0, so small inputs exercise the heuristic too. */
function inputs<P extends object>(point: fc.Arbitrary<P>) {
  return fc.record({
    closed: fc.boolean(),
    exactUpTo: fc.constantFrom(0, 12),
    kicks: fc.constant(50),
    depot: point,
    stops: fc
      .array(point, { maxLength: 40, size: 'max' })
      .map((ps) => ps.map((p, k) => ({ id: `s${k}`, ...p }))),
  })
}
const input: fc.Arbitrary<PlanInput> = fc.oneof(
  inputs(geo).map((i): PlanInput => ({ metric: 'haversine', ...i })),
  inputs(plane).map((i): PlanInput => ({ metric: 'euclidean', ...i })),
)

t('the order is a permutation of the stop ids', () => {
  fc.assert(
    fc.property(input, (i) => {
      const plan = planRoute(i)
      assert.equal([...plan.order].sort(), i.stops.map((s) => s.id).sort())
    }),
    RUNS,
  )
})

t('the length is the sum of the legs, one leg per stop plus the way back when closed', () => {
  fc.assert(
    fc.property(input, (i) => {
      const plan = planRoute(i)
      const closed = i.closed ?? true
      assert.is(plan.legs.length, i.stops.length + (closed && i.stops.length > 0 ? 1 : 0))
      assert.is(
        plan.length,
        plan.legs.reduce((s, x) => s + x, 0),
      )
      assert.ok(plan.legs.every((x) => x >= 0))
      // And the legs are those of the order it reports.
      const points = validatePoints(i.metric, i.depot, i.stops)
      const index = new Map(points.ids.map((id, k) => [id, k + 1]))
      const nodes = plan.order.map((id) => index.get(id)!)
      assert.is(tourLength(distanceMatrix(points.coords, i.metric), nodes, closed), plan.length)
    }),
    RUNS,
  )
})

t('2-opt, and 2-opt with Or-opt, never make a construction longer', () => {
  fc.assert(
    fc.property(input, (i) => {
      const points = validatePoints(i.metric, i.depot, i.stops)
      const p = pathProblem(distanceMatrix(points.coords, i.metric), i.closed)
      for (const start of [nearestNeighbour(p), cheapestInsertion(p)]) {
        const before = pathLength(p, start)
        const slack = 1e-9 * before
        assert.ok(pathLength(p, twoOpt(p, start)) <= before + slack, '2-opt')
        assert.ok(pathLength(p, improve(p, start)) <= before + slack, '2-opt + Or-opt')
        const improved = improve(p, start)
        assert.is(improved[0], p.start)
        assert.is(improved[p.size - 1], p.end)
        assert.is(new Set(improved).size, p.size)
      }
    }),
    RUNS,
  )
})

t('the same input gives the same route', () => {
  fc.assert(
    fc.property(input, (i) => {
      assert.equal(planRoute(i), planRoute(structuredClone(i)))
    }),
    { ...RUNS, numRuns: 60 },
  )
})

t.run()
