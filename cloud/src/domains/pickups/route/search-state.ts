// What 2-opt and Or-opt share while they improve one path: the path and its inverse, the candidate
// lists, and the queue of nodes to look at (Bentley's don't-look bits, 1992: a node leaves the queue
// when no move around it helps, and comes back only when one of its edges changes).
import type { NeighbourLists } from './neighbours.js'
import { type PathProblem, pathLength, positions } from './tour.js'

export class SearchState {
  readonly pos: Int32Array
  /** Moves must gain more than this: float noise can never make the search cycle. */
  readonly eps: number
  private readonly queue: Int32Array
  private readonly queued: Uint8Array
  private head = 0
  private count = 0

  constructor(
    readonly p: PathProblem,
    readonly nl: NeighbourLists,
    readonly t: Int32Array,
  ) {
    this.pos = positions(t)
    this.eps = 1e-12 * pathLength(p, t)
    this.queue = new Int32Array(p.size)
    this.queued = new Uint8Array(p.size)
  }

  /** Puts a node (back) on the queue: an edge at it changed, so moves around it are worth a new look. */
  touch(node: number): void {
    if (this.queued[node] === 1) return
    this.queued[node] = 1
    this.queue[(this.head + this.count) % this.queue.length] = node
    this.count++
  }

  /** The next node to look at, or -1 when every node's don't-look bit is set. */
  next(): number {
    if (this.count === 0) return -1
    const node = this.queue[this.head]!
    this.head = (this.head + 1) % this.queue.length
    this.count--
    this.queued[node] = 0
    return node
  }

  dist(a: number, b: number): number {
    return this.p.d[a * this.p.size + b]!
  }

  /** Reverses t[lo..hi] in place (never the fixed ends) and keeps pos in step. */
  reverse(lo: number, hi: number): void {
    const { t, pos } = this
    for (let i = lo, j = hi; i < j; i++, j--) {
      const a = t[i]!
      const b = t[j]!
      t[i] = b
      t[j] = a
      pos[b] = i
      pos[a] = j
    }
  }
}
