// Starting tours for the improvement phase. Both are deterministic: ties go to the lower node index.
import type { PathProblem } from './tour.js'

/**
 * Nearest neighbour (Rosenkrantz, Stearns & Lewis 1977): from the depot, always drive to the closest
 * stop not yet visited. O(n²); typically about 25 % above the optimum, with a few long edges at the
 * end that 2-opt removes.
 */
export function nearestNeighbour(p: PathProblem): Int32Array {
  const { size, d, start, end } = p
  const t = new Int32Array(size)
  const done = new Uint8Array(size)
  done[start] = 1
  done[end] = 1
  t[0] = start
  t[size - 1] = end
  let at = start
  for (let k = 1; k < size - 1; k++) {
    let best = -1
    let bestD = Number.POSITIVE_INFINITY
    const row = at * size
    for (let j = 0; j < size; j++) {
      if (done[j] === 0 && d[row + j]! < bestD) {
        bestD = d[row + j]!
        best = j
      }
    }
    t[k] = best
    done[best] = 1
    at = best
  }
  return t
}

/**
 * Cheapest insertion (Rosenkrantz, Stearns & Lewis 1977): start from depot -> end and repeatedly
 * insert the stop that lengthens the path least, where it lengthens it least. Within twice the optimum
 * on metric instances, and its tours have no long closing edges. Each waiting stop remembers its best
 * edge. An insertion replaces one edge by two: the stops whose best edge it removed keep their old
 * cost as a lower bound (marked stale) and are rescanned only if that bound becomes the minimum, so
 * most stops are never rescanned and the build stays near O(n²).
 */
export function cheapestInsertion(p: PathProblem): Int32Array {
  const { size, d, start, end } = p
  const next = new Int32Array(size).fill(-1)
  next[start] = end
  const inserted: number[] = [start]
  const waiting = new Uint8Array(size)
  const stale = new Uint8Array(size)
  const bestFrom = new Int32Array(size)
  const bestCost = new Float64Array(size)
  const cost = (a: number, k: number) => d[a * size + k]! + d[k * size + next[a]!]! - d[a * size + next[a]!]!
  for (let k = 0; k < size; k++) {
    if (k === start || k === end) continue
    waiting[k] = 1
    bestFrom[k] = start
    bestCost[k] = cost(start, k)
  }
  for (let round = 0; round < size - 2; round++) {
    let k = -1
    for (;;) {
      k = -1
      for (let j = 0; j < size; j++) if (waiting[j] === 1 && (k < 0 || bestCost[j]! < bestCost[k]!)) k = j
      if (stale[k] === 0) break
      // Its bound is the smallest: find its true best edge, then choose again.
      stale[k] = 0
      bestCost[k] = Number.POSITIVE_INFINITY
      for (const x of inserted) {
        const c = cost(x, k)
        if (c < bestCost[k]!) {
          bestCost[k] = c
          bestFrom[k] = x
        }
      }
    }
    const a = bestFrom[k]!
    next[k] = next[a]!
    next[a] = k
    waiting[k] = 0
    inserted.push(k)
    // A new edge (a, k) or (k, b) that beats a stop's bound is its true best: every other edge costs
    // at least the bound. Inlined, and reading rows only (the matrix is symmetric): it runs n² times.
    const b = next[k]!
    for (let u = 0; u < size; u++) {
      if (waiting[u] === 0) continue
      if (stale[u] === 0 && bestFrom[u] === a) stale[u] = 1
      const au = d[a * size + u]!
      const ku = d[k * size + u]!
      const viaA = au + ku - d[a * size + k]!
      const viaK = ku + d[b * size + u]! - d[k * size + b]!
      if (viaA < bestCost[u]! && viaA <= viaK) {
        bestCost[u] = viaA
        bestFrom[u] = a
        stale[u] = 0
      } else if (viaK < bestCost[u]!) {
        bestCost[u] = viaK
        bestFrom[u] = k
        stale[u] = 0
      }
    }
  }
  const t = new Int32Array(size)
  for (let k = 0, at = start; k < size; k++, at = next[at]!) t[k] = at
  return t
}
