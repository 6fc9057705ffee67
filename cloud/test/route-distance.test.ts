// Distances the planner is built on: haversine against known great-circle distances, euclidean, and
// the matrix against the pairwise functions.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { distanceMatrix, EARTH_RADIUS_M, euclidean, haversine } from '../src/domains/pickups/route/index.js'

const t = suite('route distances')

const close = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * expected,
    `${what}: ${actual} is not within ${relative * 100}% of ${expected}`,
  )

t('Paris to London is about 343.5 km', () => {
  const d = haversine(48.8566, 2.3522, 51.5074, -0.1278)
  close(d, 343_500, 0.005, 'Paris-London')
  assert.is(haversine(51.5074, -0.1278, 48.8566, 2.3522), d)
})

t('one degree along the equator and along a meridian is 2πR / 360; antipodes are πR apart', () => {
  const degree = (2 * Math.PI * EARTH_RADIUS_M) / 360
  close(haversine(0, 10, 0, 11), degree, 1e-12, 'equator')
  close(haversine(45, 7, 46, 7), degree, 1e-12, 'meridian')
  close(haversine(0, 0, 0, 180), Math.PI * EARTH_RADIUS_M, 1e-12, 'antipodes')
  close(haversine(90, 0, -90, 0), Math.PI * EARTH_RADIUS_M, 1e-12, 'pole to pole')
  assert.is(haversine(48.85, 2.35, 48.85, 2.35), 0)
})

t('short hops keep their precision: 1 m north is 1 m', () => {
  const dLat = 1 / ((2 * Math.PI * EARTH_RADIUS_M) / 360)
  close(haversine(48.85, 2.35, 48.85 + dLat, 2.35), 1, 1e-6, '1 m')
})

t('euclidean is the plane distance', () => {
  assert.is(euclidean(0, 0, 3, 4), 5)
  assert.is(euclidean(-1, -1, -1, -1), 0)
})

t('the matrix holds every pairwise distance, symmetric with a zero diagonal', () => {
  const pts = [48.85, 2.35, 48.86, 2.29, 48.89, 2.34, -33.87, 151.21]
  for (const metric of ['haversine', 'euclidean'] as const) {
    const m = distanceMatrix(Float64Array.from(pts), metric)
    assert.is(m.size, 4)
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const f = metric === 'haversine' ? haversine : euclidean
        const want = i === j ? 0 : f(pts[2 * i]!, pts[2 * i + 1]!, pts[2 * j]!, pts[2 * j + 1]!)
        close(m.d[i * 4 + j]!, want, 1e-12, `${metric} ${i},${j}`)
        assert.is(m.d[i * 4 + j], m.d[j * 4 + i])
      }
    }
  }
})

t.run()
