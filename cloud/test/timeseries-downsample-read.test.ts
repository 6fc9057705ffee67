// A health chart past the raw retention: readHealth takes the older part from health_5m and the recent
// part from raw health, split on a chart bucket's edge, so a 14-day chart shows both.
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readHealth } from '../src/timeseries/health-read.js'
import { type Point, SqliteSink } from '../src/timeseries/index.js'

const t = suite('health reads across the raw retention')
const log = pino({ level: 'silent' })
const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = 1_700_000_000_000 - (1_700_000_000_000 % DAY)

const health = (agent: string, ts: number, rss: number): Point => ({
  measurement: 'health',
  tags: { agent },
  fields: { rss_bytes: rss },
  ts,
})

t('older buckets come from the 5-minute means, recent ones from raw points', async () => {
  const clock = { now: NOW - 10 * DAY }
  const sink = new SqliteSink({
    dataDir: ':memory:',
    log,
    healthRollup: { rawRetentionMs: 7 * DAY, rolledRetentionMs: 0, intervalMs: DAY, now: () => clock.now },
  })
  await sink.start()
  try {
    await sink.write([
      health('pi-1', NOW - 10 * DAY, 100),
      health('pi-1', NOW - 10 * DAY + 60_000, 200),
      health('pi-2', NOW - 10 * DAY, 999),
      health('pi-1', NOW - HOUR, 300),
    ])
    clock.now = NOW
    await sink.healthRollup!.runOnce()
    const raw = await sink.query({ measurement: 'health', from: 0, to: NOW })
    assert.equal(
      raw.map((r) => r.ts),
      [NOW - HOUR],
      'the 10-day-old raw points are gone',
    )
    const read = (rawRetentionMs?: number) =>
      readHealth(sink, {
        agent: 'pi-1',
        from: NOW - 14 * DAY,
        to: NOW,
        fields: ['rss_bytes'],
        everyMs: DAY,
        rawRetentionMs,
        now: NOW,
      })
    assert.equal(
      (await read(7 * DAY)).map((r) => [(NOW - r.ts) / DAY, r.fields.rss_bytes]),
      [
        [10, 150],
        [1, 300],
      ],
    )
    assert.equal(
      (await read()).map((r) => r.fields.rss_bytes),
      [300],
      'without a raw retention only raw health is read',
    )
  } finally {
    await sink.stop()
  }
})

t('a range within the raw retention reads raw health only', async () => {
  const calls: string[] = []
  const series = {
    query: async (q: { measurement: string; from: number; to: number }) => {
      calls.push(`${q.measurement} ${(NOW - q.from) / HOUR}h-${(NOW - q.to) / HOUR}h`)
      return []
    },
  }
  const o = {
    agent: 'pi-1',
    to: NOW,
    fields: ['rss_bytes'],
    everyMs: HOUR,
    rawRetentionMs: 7 * DAY,
    now: NOW,
  }
  await readHealth(series, { ...o, from: NOW - 6 * HOUR })
  await readHealth(series, { ...o, from: NOW - 8 * DAY, to: NOW - 7.5 * DAY })
  assert.equal(calls, ['health 6h-0h', 'health_5m 192h-180h'])
})

t.run()
