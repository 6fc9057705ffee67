// Health history settings: defaults, durations in ms for the embedded store and as given for InfluxDB,
// and every bad value listed at once, each naming its variable.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, loadConfig } from '../src/app/config.js'

const DAY = 86_400_000

test('defaults: raw health 7 days, 5-minute means a year', () => {
  const c = loadConfig({})
  assert.equal(c.healthHistory, {
    rawRetentionMs: 7 * DAY,
    downsampleRetention: '365d',
    downsampleRetentionMs: 365 * DAY,
  })
})

test('set values reach both back ends; INF keeps for ever', () => {
  const c = loadConfig({
    RELAIS_TS_RAW_RETENTION: '48h',
    RELAIS_TS_DOWNSAMPLE_RETENTION: 'INF',
    RELAIS_INFLUX_URL: 'http://127.0.0.1:8086',
  })
  assert.equal(c.healthHistory, {
    rawRetentionMs: 2 * DAY,
    downsampleRetention: 'INF',
    downsampleRetentionMs: 0,
  })
  assert.is(c.influx?.downsampleRetention, 'INF')
  assert.is(
    loadConfig({ RELAIS_TS_DOWNSAMPLE_RETENTION: '52w' }).healthHistory.downsampleRetentionMs,
    364 * DAY,
  )
})

test('every bad duration is listed, each with its variable', () => {
  try {
    loadConfig({ RELAIS_TS_RAW_RETENTION: '7 days', RELAIS_TS_DOWNSAMPLE_RETENTION: '-1d' })
    assert.unreachable('no error')
  } catch (err) {
    assert.instance(err, ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    assert.match(problems, /RELAIS_TS_RAW_RETENTION=7 days/)
    assert.match(problems, /RELAIS_TS_DOWNSAMPLE_RETENTION=-1d/)
  }
})

test.run()
