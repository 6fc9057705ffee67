// Counts per key over a sliding window (refused CONNECTs per address, ingest rejects per agent). A count
// of zero is only trusted once a whole window has been watched: right after a restart, "no failures
// seen" means "not looked yet", and must not clear an alert raised before the restart.
export class SlidingCount {
  private readonly hits = new Map<string, Array<{ at: number; n: number }>>()

  constructor(
    readonly windowMs: number,
    private readonly startedAt: number,
  ) {}

  add(key: string, at: number, n = 1): void {
    if (n <= 0) return
    let list = this.hits.get(key)
    if (list === undefined) {
      // A flood of fresh addresses must not grow memory without bound: forget the oldest key.
      if (this.hits.size >= 10_000) this.hits.delete(this.hits.keys().next().value!)
      list = []
      this.hits.set(key, list)
    }
    list.push({ at, n })
  }

  /** Drops what fell out of the window; keys with nothing left are forgotten. */
  prune(now: number): void {
    for (const [key, list] of this.hits) {
      const keep = list.filter((h) => h.at > now - this.windowMs)
      if (keep.length === 0) this.hits.delete(key)
      else this.hits.set(key, keep)
    }
  }

  counts(now: number): Map<string, number> {
    this.prune(now)
    const out = new Map<string, number>()
    for (const [key, list] of this.hits)
      out.set(
        key,
        list.reduce((a, h) => a + h.n, 0),
      )
    return out
  }

  /** True once the window has been watched whole: a key absent from counts() then really had none. */
  complete(now: number): boolean {
    return now - this.startedAt >= this.windowMs
  }
}
