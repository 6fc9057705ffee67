// Held-Karp dynamic programming (Bellman 1962; Held & Karp 1962): the optimal path over all stops in
// O(2^n · n²) time and O(2^n · n) memory. The planner uses it for rounds of up to a dozen stops, where
// it takes a few milliseconds; the tests use it as the optimum the heuristics are measured by.
import type { PathProblem } from './tour.js'

/** Beyond this many stops the table outgrows its use (2^16 · 16 entries is 8 MB, 16M steps). */
export const HELD_KARP_MAX = 16

/** The shortest path from the problem's start through every stop to its end. */
export function heldKarp(p: PathProblem): Int32Array {
  const { size, d, start, end } = p
  const nodes: number[] = []
  for (let v = 0; v < size; v++) if (v !== start && v !== end) nodes.push(v)
  const m = nodes.length
  if (m > HELD_KARP_MAX) throw new RangeError(`Held-Karp takes at most ${HELD_KARP_MAX} stops, not ${m}`)
  const full = (1 << m) - 1
  // cost[S * m + j]: the shortest path from start over the set S of stops, ending at stop j in S.
  const cost = new Float64Array((full + 1) * m).fill(Number.POSITIVE_INFINITY)
  const from = new Int8Array((full + 1) * m).fill(-1)
  for (let j = 0; j < m; j++) cost[(1 << j) * m + j] = d[start * size + nodes[j]!]!
  for (let set = 1; set <= full; set++) {
    for (let j = 0; j < m; j++) {
      const here = cost[set * m + j]!
      if (!(set & (1 << j)) || here === Number.POSITIVE_INFINITY) continue
      const row = nodes[j]! * size
      for (let k = 0; k < m; k++) {
        if (set & (1 << k)) continue
        const to = (set | (1 << k)) * m + k
        const c = here + d[row + nodes[k]!]!
        if (c < cost[to]!) {
          cost[to] = c
          from[to] = j
        }
      }
    }
  }
  const t = new Int32Array(size)
  t[0] = start
  t[size - 1] = end
  if (m === 0) return t
  let best = 0
  let bestCost = Number.POSITIVE_INFINITY
  for (let j = 0; j < m; j++) {
    const c = cost[full * m + j]! + d[nodes[j]! * size + end]!
    if (c < bestCost) {
      bestCost = c
      best = j
    }
  }
  // Walk the choices back from the last stop.
  for (let set = full, j = best, k = m; k >= 1; k--) {
    t[k] = nodes[j]!
    const prev = from[set * m + j]!
    set &= ~(1 << j)
    j = prev
  }
  return t
}
