// Iterated local search (Lourenço, Martin & Stützle 2003): kick the best path with a double bridge
// (Martin, Otto & Felten 1991), descend again from the kicked edges only, keep the result if shorter.
// 2-opt and Or-opt cannot undo a double bridge in one move, so each kick explores a new local optimum
// near the current one. Kicks are local (segments of at most 30 positions) so a kick on 1,000 stops
// stays a small repair. The random numbers come from a fixed seed: same input, same route.
import { descend } from './improve.js'
import type { NeighbourLists } from './neighbours.js'
import { SearchState } from './search-state.js'
import { type PathProblem, pathLength } from './tour.js'

const MAX_SEGMENT = 30
const SEED = 0x5eed_2024

export interface KickOptions {
  kicks: number
  neighbours: NeighbourLists
  /** performance.now() after which no new kick starts. */
  deadline?: number
}

/** mulberry32 (Tommy Ettinger): a tiny, well-mixed 32-bit PRNG; enough to choose cut points. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let z = a
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
}

/** Returns a path at least as short as t (a local optimum of 2-opt + Or-opt) after `kicks` kicks. */
export function iteratedLocalSearch(p: PathProblem, t: Int32Array, opts: KickOptions): Int32Array {
  const stops = p.size - 2
  if (stops < 3) return t
  const random = seededRandom(SEED)
  const pick = (n: number) => Math.floor(random() * n)
  let best = t
  let bestLength = pathLength(p, t)
  const eps = 1e-12 * bestLength
  for (let kick = 0; kick < opts.kicks; kick++) {
    if (opts.deadline !== undefined && performance.now() > opts.deadline) break
    // Cut the stops into A B C D with B and C short and adjacent; reconnect as A C B D.
    const maxLen = Math.max(1, Math.min(MAX_SEGMENT, Math.floor(stops / 2)))
    const lenB = 1 + pick(maxLen)
    const lenC = 1 + pick(maxLen)
    const b = 1 + pick(stops - lenB - lenC + 1)
    const c = b + lenB
    const end = c + lenC
    const cand = best.slice()
    cand.set(best.subarray(c, end), b)
    cand.set(best.subarray(b, c), b + lenC)
    const s = new SearchState(p, opts.neighbours, cand)
    for (const at of [b - 1, b, b + lenC - 1, b + lenC, end - 1, end]) s.touch(cand[at]!)
    descend(s)
    const length = pathLength(p, s.t)
    if (length < bestLength - eps) {
      best = s.t
      bestLength = length
    }
  }
  return best
}
