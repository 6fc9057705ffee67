// Time limits for promises the loop cannot cancel (a sink's write): stop waiting, never stop the work.

/**
 * Rejects when `p` has not settled within `ms`. With `background`, the timer does not keep the process
 * alive: a hung write must not hold up a process that has nothing else left to do.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, background = false): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms)
    if (background) timer.unref()
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** Resolves with p's value, or with undefined at the deadline (epoch ms); never rejects. */
export function beforeDeadline<T>(p: Promise<T>, deadline: number): Promise<T | undefined> {
  return withTimeout(p, Math.max(0, deadline - Date.now()), 'work').catch(() => undefined)
}
