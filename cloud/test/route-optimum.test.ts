// The bar: the planner stays within 10 % of the optimum. Held-Karp gives the optimum of 200
// seeded random instances of 5 to 12 stops per metric; the planner runs with exactUpTo: 0 so the
// heuristic (constructions, 2-opt, Or-opt, kicks) is what is measured, not Held-Karp against itself.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type PlanInput, planRoute } from '../src/domains/pickups/route/index.js'
import { seededRandom } from '../src/domains/pickups/route/perturb.js'

const t = suite('route planner against the optimum')
const INSTANCES = 200

/** Stops in a Paris-sized box (about 12 x 12 km), or in a 1,000 x 1,000 plane. */
function instance(
  random: () => number,
  metric: 'haversine' | 'euclidean',
  n: number,
  closed: boolean,
): PlanInput {
  if (metric === 'haversine') {
    const at = (k: number) => ({ id: `s${k}`, lat: 48.8 + random() * 0.11, lon: 2.25 + random() * 0.17 })
    return { metric, closed, depot: at(0), stops: Array.from({ length: n }, (_, k) => at(k + 1)) }
  }
  const at = (k: number) => ({ id: `s${k}`, x: random() * 1000, y: random() * 1000 })
  return { metric, closed, depot: at(0), stops: Array.from({ length: n }, (_, k) => at(k + 1)) }
}

/** Worst planner/optimum ratio over the instances of one metric, and the instance it came from. */
function worstRatio(metric: 'haversine' | 'euclidean', options: { kicks?: number } = {}) {
  const random = seededRandom(metric === 'haversine' ? 2024 : 1958)
  let worst = { ratio: 1, n: 0, closed: true }
  for (let k = 0; k < INSTANCES; k++) {
    const n = 5 + (k % 8)
    const closed = k % 16 < 8
    const input = instance(random, metric, n, closed)
    const optimum = planRoute(input)
    const heuristic = planRoute({ ...input, exactUpTo: 0, ...options })
    const ratio = heuristic.length / optimum.length
    assert.ok(ratio >= 1 - 1e-9, `instance ${k}: shorter than the optimum (${ratio})`)
    if (ratio > worst.ratio) worst = { ratio, n, closed }
  }
  return worst
}

for (const metric of ['haversine', 'euclidean'] as const) {
  t(`${metric}: within 10 % of Held-Karp on ${INSTANCES} instances of 5 to 12 stops, closed and open`, () => {
    const worst = worstRatio(metric)
    assert.ok(worst.ratio <= 1.1, `worst ratio ${worst.ratio} (n=${worst.n}, closed=${worst.closed})`)
  })

  t(`${metric}: 2-opt and Or-opt alone, without kicks, stay within 10 % too`, () => {
    const worst = worstRatio(metric, { kicks: 0 })
    assert.ok(worst.ratio <= 1.1, `worst ratio ${worst.ratio} (n=${worst.n}, closed=${worst.closed})`)
  })
}

t('13 to 16 stops, where the planner is heuristic by default: within 10 % of Held-Karp', () => {
  const random = seededRandom(16)
  for (let k = 0; k < 16; k++) {
    const n = 13 + (k % 4)
    const input = instance(random, k % 2 === 0 ? 'haversine' : 'euclidean', n, k % 4 < 2)
    const optimum = planRoute({ ...input, exactUpTo: 16 })
    const ratio = planRoute(input).length / optimum.length
    assert.ok(ratio >= 1 - 1e-9 && ratio <= 1.1, `instance ${k} (n=${n}): ratio ${ratio}`)
  }
})

t('up to 12 stops the planner returns the optimum itself (Held-Karp)', () => {
  const random = seededRandom(12)
  for (let n = 1; n <= 12; n++) {
    const input = instance(random, 'euclidean', n, true)
    const exact = planRoute(input)
    const heuristic = planRoute({ ...input, exactUpTo: 0 })
    assert.ok(exact.length <= heuristic.length + 1e-9, `n=${n}`)
  }
})

t.run()
