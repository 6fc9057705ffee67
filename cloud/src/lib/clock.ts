// Time as a dependency: features that wait (grace periods, silence timeouts, alert repeats) take a Clock,
// so tests move time forward instead of sleeping (STYLE.md habit 9: fake timers).
export type TimerHandle = { readonly id: number } | NodeJS.Timeout

export interface Clock {
  now(): number
  /** Runs `fn` after `ms`; a returned promise is awaited by fake clocks before they go further. */
  setTimeout(fn: () => void | Promise<void>, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle | undefined): void
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(() => void fn(), ms)
    // The feature's stop() owns the lifecycle; a pending tick must not keep the process alive.
    t.unref()
    return t
  },
  clearTimeout: (h) => {
    if (h !== undefined) clearTimeout(h as NodeJS.Timeout)
  },
}
