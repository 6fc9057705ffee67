// Held-Karp is the optimum the heuristics are measured by, so it is checked against trying every
// order. Integer distances make every path length exact, so the two must agree to the last bit.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  distanceMatrix,
  HELD_KARP_MAX,
  heldKarp,
  type PathProblem,
  pathLength,
  pathProblem,
} from '../src/domains/pickups/route/index.js'
import { seededRandom } from '../src/domains/pickups/route/perturb.js'

const t = suite('Held-Karp')

/** The shortest path by trying every order of the stops (Heap's algorithm). */
function bruteForce(p: PathProblem): number {
  const stops = Array.from({ length: p.size - 2 }, (_, i) => i + 1)
  let best = Number.POSITIVE_INFINITY
  const visit = (k: number) => {
    if (k <= 1) {
      best = Math.min(best, pathLength(p, [p.start, ...stops, p.end]))
      return
    }
    for (let i = 0; i < k; i++) {
      visit(k - 1)
      const j = k % 2 === 0 ? i : 0
      ;[stops[j], stops[k - 1]] = [stops[k - 1]!, stops[j]!]
    }
  }
  visit(stops.length)
  return best
}

/** A random symmetric matrix of whole numbers (depot plus n stops), not necessarily metric. */
function integerMatrix(random: () => number, n: number) {
  const size = n + 1
  const d = new Float64Array(size * size)
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const v = 1 + Math.floor(random() * 1000)
      d[i * size + j] = v
      d[j * size + i] = v
    }
  }
  return { size, d }
}

const isPath = (p: PathProblem, tour: Int32Array) =>
  tour.length === p.size && tour[0] === p.start && tour[p.size - 1] === p.end && new Set(tour).size === p.size

t('equals brute force exactly on 300 random integer instances of 0 to 8 stops, closed and open', () => {
  const random = seededRandom(1962)
  for (let k = 0; k < 300; k++) {
    const n = k % 9
    const p = pathProblem(integerMatrix(random, n), k % 2 === 0)
    const tour = heldKarp(p)
    assert.ok(isPath(p, tour), `n=${n}: not a path over every stop`)
    assert.is(pathLength(p, tour), bruteForce(p), `instance ${k}, n=${n}`)
  }
})

t('equals brute force on random points in both metrics (to float rounding)', () => {
  const random = seededRandom(8)
  for (let k = 0; k < 120; k++) {
    const n = 1 + (k % 8)
    const metric = k % 4 < 2 ? 'haversine' : 'euclidean'
    const coords = Float64Array.from({ length: 2 * (n + 1) }, (_, i) =>
      metric === 'haversine' ? (i % 2 === 0 ? 48.8 : 2.25) + random() * 0.15 : random() * 100,
    )
    const p = pathProblem(distanceMatrix(coords, metric), k % 2 === 0)
    const best = bruteForce(p)
    assert.ok(Math.abs(pathLength(p, heldKarp(p)) - best) <= 1e-9 * best, `instance ${k}`)
  }
})

t('refuses more stops than its table can hold', () => {
  const p = pathProblem(integerMatrix(seededRandom(1), HELD_KARP_MAX + 1))
  assert.throws(() => heldKarp(p), /at most 16 stops/)
})

t.run()
