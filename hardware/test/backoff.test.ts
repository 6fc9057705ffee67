import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { backoffDelay, retry } from '../src/index.js'

const t = suite('back-off')

t('grows by the factor, caps at the maximum, and jitters downwards only', () => {
  const none = { initialMs: 100, maxMs: 1000, jitter: 0 }
  assert.equal(
    [1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, none)),
    [100, 200, 400, 800, 1000, 1000],
  )
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 1 }), 200)
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 0 }), 400)
  assert.is(backoffDelay(3, { initialMs: 100, maxMs: 1000, jitter: 1, random: () => 1 }), 0)
})

t('retries until success, reporting each failure with its delay', async () => {
  const seen: Array<[number, number]> = []
  const result = await retry(
    async (attempt) => {
      if (attempt < 3) throw new Error(`fail ${attempt}`)
      return 'ok'
    },
    { initialMs: 1, jitter: 0, onError: (_e, attempt, delay) => seen.push([attempt, delay]) },
  )
  assert.is(result, 'ok')
  assert.equal(seen, [
    [1, 1],
    [2, 2],
  ])
})

t('gives up after maxAttempts with the last error; honours Retry-After; stops on abort', async () => {
  let calls = 0
  const err = await retry(
    async () => {
      calls++
      throw new Error(`e${calls}`)
    },
    { initialMs: 1, maxAttempts: 3 },
  ).catch((e: Error) => e)
  assert.is((err as Error).message, 'e3')
  const delays: number[] = []
  await retry(
    async (a) => {
      if (a === 1) throw Object.assign(new Error('busy'), { retryAfter: 30 })
    },
    {
      initialMs: 1,
      jitter: 0,
      retryAfterMs: (e) => (e as { retryAfter?: number }).retryAfter,
      onError: (_e, _a, d) => delays.push(d),
    },
  )
  assert.equal(delays, [30])
  const ac = new AbortController()
  const p = retry(
    async () => {
      throw new Error('down')
    },
    { initialMs: 60_000, signal: ac.signal },
  ).catch((e: unknown) => e)
  setTimeout(() => ac.abort(new Error('stopped')), 10)
  assert.is(((await p) as Error).message, 'stopped')
})

t.run()
