// Or-opt (Or 1976): move a segment of 1 to 3 consecutive stops, forwards or reversed, between two
// other adjacent nodes. It fixes what 2-opt cannot: a stop left on the wrong side of a street, a pair
// picked up on the way out that belongs on the way back.
import type { SearchState } from './search-state.js'

const MAX_SEGMENT = 3

/** Tries every segment of up to 3 stops that starts or ends at node a; applies the first gain. */
export function orOptAt(s: SearchState, a: number): boolean {
  const i = s.pos[a]!
  const last = s.p.size - 1
  for (let len = 1; len <= MAX_SEGMENT; len++) {
    for (const from of len === 1 ? [i] : [i, i - len + 1]) {
      const to = from + len - 1
      if (from >= 1 && to <= last - 1 && trySegment(s, from, to)) return true
    }
  }
  return false
}

function trySegment(s: SearchState, from: number, to: number): boolean {
  const { t, pos } = s
  const { k, list } = s.nl
  const last = s.p.size - 1
  const f = t[from]!
  const l = t[to]!
  const prev = t[from - 1]!
  const next = t[to + 1]!
  const removed = s.dist(prev, f) + s.dist(l, next) - s.dist(prev, next)
  if (removed <= s.eps) return false
  for (const x of f === l ? [f] : [f, l]) {
    const y = x === f ? l : f
    for (let r = 0; r < k; r++) {
      const c = list[x * k + r]!
      const dxc = s.dist(x, c)
      // Sorted lists: once the edge to c alone costs what removal saves, no later c can gain.
      if (dxc >= removed) break
      const u = pos[c]!
      if (u >= from && u <= to) continue
      // Between c and its successor, x next to c. (c = prev would put it back where it was.)
      if (u < last && c !== prev) {
        const c2 = t[u + 1]!
        if (removed - (dxc + s.dist(y, c2) - s.dist(c, c2)) > s.eps) {
          move(s, from, to, u, x)
          return true
        }
      }
      // Between c's predecessor and c, x next to c.
      if (u > 0 && c !== next) {
        const c0 = t[u - 1]!
        if (removed - (s.dist(c0, y) + dxc - s.dist(c0, c)) > s.eps) {
          move(s, from, to, u - 1, y)
          return true
        }
      }
    }
  }
  return false
}

const segment = new Int32Array(MAX_SEGMENT)

/** Moves t[from..to] between t[at] and t[at + 1], with `first` next to t[at]; shifts what lies between. */
function move(s: SearchState, from: number, to: number, at: number, first: number): void {
  const { t, pos } = s
  const len = to - from + 1
  const reversed = first !== t[from]
  for (let m = 0; m < len; m++) segment[m] = reversed ? t[to - m]! : t[from + m]!
  for (const node of [t[from - 1]!, t[to + 1]!, t[from]!, t[to]!, t[at]!, t[at + 1]!]) s.touch(node)
  let lo: number
  let hi: number
  if (at > to) {
    for (let m = to + 1; m <= at; m++) t[m - len] = t[m]!
    for (let m = 0; m < len; m++) t[at - len + 1 + m] = segment[m]!
    lo = from
    hi = at
  } else {
    for (let m = from - 1; m > at; m--) t[m + len] = t[m]!
    for (let m = 0; m < len; m++) t[at + 1 + m] = segment[m]!
    lo = at + 1
    hi = to
  }
  for (let m = lo; m <= hi; m++) pos[t[m]!] = m
}
