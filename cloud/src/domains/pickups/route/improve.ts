// Local search to a local optimum: 2-opt (Croes 1958) and Or-opt (Or 1976), both driven by candidate
// lists and don't-look bits (Bentley 1992), so one pass over 1,000 stops costs milliseconds, not the
// O(n²) per sweep of the textbook loop. Paths keep their fixed ends (see tour.ts).
import { type NeighbourLists, neighbourLists } from './neighbours.js'
import { orOptAt } from './or-opt.js'
import { SearchState } from './search-state.js'
import type { PathProblem } from './tour.js'

export interface ImproveOptions {
  /** Also move segments of 1-3 stops (default true); false gives plain 2-opt. */
  orOpt?: boolean
  /** Candidate lists, when the caller already built them for this problem. */
  neighbours?: NeighbourLists
}

/** 2-opt alone: returns an improved copy of t, never longer than t. */
export function twoOpt(p: PathProblem, t: Int32Array, neighbours?: NeighbourLists): Int32Array {
  return improve(p, t, { orOpt: false, neighbours })
}

/** 2-opt and Or-opt until neither finds a gain: returns an improved copy of t, never longer than t. */
export function improve(p: PathProblem, t: Int32Array, opts: ImproveOptions = {}): Int32Array {
  const s = new SearchState(p, opts.neighbours ?? neighbourLists(p), t.slice())
  for (let k = 0; k < t.length; k++) s.touch(t[k]!)
  descend(s, opts.orOpt ?? true)
  return s.t
}

/** Works the queue until it is empty: every node's neighbourhood has been tried without a gain. */
export function descend(s: SearchState, orOpt = true): void {
  for (let a = s.next(); a >= 0; a = s.next()) {
    while (twoOptAt(s, a) || (orOpt && orOptAt(s, a))) {
      // Each move touched a (and the other ends of the changed edges); keep at a while it pays.
    }
  }
}

/**
 * Tries to replace one of a's two path edges by an edge to a near neighbour c, reversing the path
 * between them; applies the first move that gains. Only c closer to a than a's current partner can
 * gain (the gain criterion of Lin & Kernighan 1973), and the lists are sorted, so the scan stops early.
 */
export function twoOptAt(s: SearchState, a: number): boolean {
  const { t, pos, eps } = s
  const { k, list } = s.nl
  const last = s.p.size - 1
  const i = pos[a]!
  if (i < last) {
    // Remove (a, b) and (c, e), add (a, c) and (b, e): a's successor side.
    const b = t[i + 1]!
    const dab = s.dist(a, b)
    for (let r = 0; r < k; r++) {
      const c = list[a * k + r]!
      const dac = s.dist(a, c)
      if (dac >= dab) break
      const j = pos[c]!
      if (j === last || c === b) continue
      const e = t[j + 1]!
      if (e === a) continue
      if (dab + s.dist(c, e) - dac - s.dist(b, e) > eps) {
        if (j > i) s.reverse(i + 1, j)
        else s.reverse(j + 1, i)
        touch(s, a, b, c, e)
        return true
      }
    }
  }
  if (i > 0) {
    // Remove (b, a) and (e, c), add (c, a) and (e, b): a's predecessor side.
    const b = t[i - 1]!
    const dab = s.dist(b, a)
    for (let r = 0; r < k; r++) {
      const c = list[a * k + r]!
      const dac = s.dist(a, c)
      if (dac >= dab) break
      const j = pos[c]!
      if (j === 0 || c === b) continue
      const e = t[j - 1]!
      if (e === a) continue
      if (dab + s.dist(e, c) - dac - s.dist(e, b) > eps) {
        if (j > i) s.reverse(i, j - 1)
        else s.reverse(j, i - 1)
        touch(s, a, b, c, e)
        return true
      }
    }
  }
  return false
}

function touch(s: SearchState, a: number, b: number, c: number, e: number): void {
  s.touch(a)
  s.touch(b)
  s.touch(c)
  s.touch(e)
}
