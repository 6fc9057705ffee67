// Candidate lists: each node's K nearest other nodes, nearest first. 2-opt and Or-opt only try edges
// to these (Steiglitz & Weiner 1968; Bentley 1992), which turns an O(n²) scan per node into O(K)
// and loses almost nothing: good tours join near neighbours.
import type { PathProblem } from './tour.js'

/** Ten is Bentley's and LKH's usual choice: enough to find nearly every improving move. */
export const NEIGHBOURS = 10

/** `list[i * k + r]` is node i's r-th nearest node; k = min(K, size - 1). */
export interface NeighbourLists {
  k: number
  list: Int32Array
}

export function neighbourLists(p: PathProblem, want = NEIGHBOURS): NeighbourLists {
  const { size, d } = p
  const k = Math.max(0, Math.min(want, size - 1))
  const list = new Int32Array(size * k)
  const near = new Int32Array(k)
  const nearD = new Float64Array(k)
  for (let i = 0; i < size; i++) {
    // Insertion into a sorted array of k: O(size * k) per node, cheaper than sorting the row.
    let have = 0
    const row = i * size
    for (let j = 0; j < size; j++) {
      if (j === i) continue
      const v = d[row + j]!
      if (have === k && v >= nearD[k - 1]!) continue
      let r = have < k ? have++ : k - 1
      while (r > 0 && nearD[r - 1]! > v) {
        near[r] = near[r - 1]!
        nearD[r] = nearD[r - 1]!
        r--
      }
      near[r] = j
      nearD[r] = v
    }
    list.set(near, i * k)
  }
  return { k, list }
}
