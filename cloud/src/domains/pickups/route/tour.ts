// The one shape every algorithm here works on: a path with fixed ends. Node 0 is the depot (start),
// the last node is the end, and a tour is an Int32Array of every node with t[0] = start and
// t[size - 1] = end. A closed round (the courier returns to the depot) makes the end a copy of the
// depot; an open one (the round ends at its last stop) makes it a free end at distance 0 from
// everything (the dummy-node reduction of a Hamiltonian path to a cycle). Construction, 2-opt,
// Or-opt and Held-Karp then never need to know which kind they are solving.
import type { DistanceMatrix } from './distance.js'

export interface PathProblem {
  /** Nodes: 0 the depot, 1..size - 2 the stops, size - 1 the end. */
  size: number
  d: Float64Array
  start: number
  end: number
}

/** Adds the end node to a matrix of the depot (node 0) and the stops; `closed` by default. */
export function pathProblem(m: DistanceMatrix, closed = true): PathProblem {
  const n = m.size
  const size = n + 1
  const d = new Float64Array(size * size)
  for (let i = 0; i < n; i++) d.set(m.d.subarray(i * n, i * n + n), i * size)
  if (closed) {
    // The end is the depot again: its row and column are the depot's, and depot to end is 0.
    for (let i = 0; i < n; i++) {
      d[i * size + n] = m.d[i * n]!
      d[n * size + i] = m.d[i]!
    }
  }
  return { size, d, start: 0, end: n }
}

/** The length of a path over the problem's nodes, in order. */
export function pathLength(p: PathProblem, t: ArrayLike<number>): number {
  let sum = 0
  for (let k = 0; k + 1 < t.length; k++) sum += p.d[t[k]! * p.size + t[k + 1]!]!
  return sum
}

/**
 * The legs of a round over matrix nodes (0 the depot): `order` lists the stops' nodes; legs[k] is the
 * leg that arrives at order[k], and a closed round has one more, the way back to the depot.
 */
export function tourLegs(m: DistanceMatrix, order: ArrayLike<number>, closed = true): number[] {
  const legs: number[] = []
  let at = 0
  for (let k = 0; k < order.length; k++) {
    legs.push(m.d[at * m.size + order[k]!]!)
    at = order[k]!
  }
  if (closed && order.length > 0) legs.push(m.d[at * m.size]!)
  return legs
}

/** The round's length: the sum of its legs, in order (so it always equals what tourLegs reports). */
export function tourLength(m: DistanceMatrix, order: ArrayLike<number>, closed = true): number {
  return tourLegs(m, order, closed).reduce((s, x) => s + x, 0)
}

/** The stops of a path, in order: every node but the start and the end. */
export function stopsOf(p: PathProblem, t: ArrayLike<number>): number[] {
  const out: number[] = []
  for (let k = 0; k < t.length; k++) if (t[k] !== p.start && t[k] !== p.end) out.push(t[k]!)
  return out
}

/** position of each node in the path, the inverse of t. */
export function positions(t: Int32Array): Int32Array {
  const pos = new Int32Array(t.length)
  for (let k = 0; k < t.length; k++) pos[t[k]!] = k
  return pos
}
