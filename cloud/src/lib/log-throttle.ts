// One log line per key and interval. A device that sends the same bad message thousands of times a second
// (a wrong clock, a broken firmware) must not flood the log or spend the broker's thread on it; its
// counters keep the exact numbers, and each line says how many were not logged since the last one.

export class LogThrottle {
  private readonly last = new Map<string, { at: number; unlogged: number }>()

  /**
   * @param everyMs at most one line per key in this interval
   * @param maxKeys keys remembered; past it the oldest are forgotten (their next line is logged)
   */
  constructor(
    private readonly everyMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /**
   * Whether to log `key` now; when so, `sinceLastLogged` is how many were dropped since the previous
   * line for it (undefined for the first).
   */
  take(key: string, now: number): { log: false } | { log: true; sinceLastLogged?: number } {
    const prev = this.last.get(key)
    if (prev !== undefined && now - prev.at < this.everyMs) {
      prev.unlogged++
      return { log: false }
    }
    if (prev !== undefined) this.last.delete(key)
    else if (this.last.size >= this.maxKeys) this.last.delete(this.last.keys().next().value!)
    // Re-inserted, so the Map's order stays oldest first for the eviction above.
    this.last.set(key, { at: now, unlogged: 0 })
    return { log: true, sinceLastLogged: prev?.unlogged }
  }
}
