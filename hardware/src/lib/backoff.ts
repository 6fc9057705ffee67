// The one retry helper of the project, here because hardware is the only package edge and cloud share
// (after balena-supervisor's backoff): exponential, capped, with jitter so a fleet
// reconnecting after an outage does not hit the server in lockstep; reports every failure.

export interface BackoffOptions {
  /** First delay; default 500 ms. */
  initialMs?: number
  /** Ceiling of any delay; default 30 s. */
  maxMs?: number
  factor?: number
  /** 0 = no jitter; 1 = anywhere in [0, delay]. Default 0.5: delay in [delay/2, delay]. */
  jitter?: number
  /** Give up after this many attempts (the error of the last is thrown); default: never. */
  maxAttempts?: number
  signal?: AbortSignal
  /** Called after each failure with the delay before the next attempt. */
  onError?: (err: unknown, attempt: number, delayMs: number) => void
  /** A delay the failure itself asks for (HTTP Retry-After); used when larger than the computed one. */
  retryAfterMs?: (err: unknown) => number | undefined
  random?: () => number
}

/** Delay before attempt `attempt + 1`, given `attempt` failures so far (attempt >= 1). */
export function backoffDelay(attempt: number, o: BackoffOptions = {}): number {
  const initial = o.initialMs ?? 500
  const max = o.maxMs ?? 30_000
  const factor = o.factor ?? 2
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5))
  const raw = Math.min(max, initial * factor ** Math.max(0, attempt - 1))
  const rnd = (o.random ?? Math.random)()
  return Math.round(raw * (1 - jitter * rnd))
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'))
    const timer = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort() {
      clearTimeout(timer)
      reject(signal?.reason ?? new Error('aborted'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Runs `fn` until it succeeds, the attempts run out, or `signal` aborts. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: BackoffOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      if (o.signal?.aborted) throw err
      if (o.maxAttempts !== undefined && attempt >= o.maxAttempts) throw err
      const delay = Math.max(backoffDelay(attempt, o), o.retryAfterMs?.(err) ?? 0)
      o.onError?.(err, attempt, delay)
      await sleep(delay, o.signal)
    }
  }
}
