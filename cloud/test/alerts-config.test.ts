// Availability and alert settings from the environment: defaults, conversions, and every problem listed
// at once, each naming its variable.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, loadConfig } from '../src/app/config.js'

test('defaults: 30 s grace, silence by class, hourly repeats, no quiet hours, no webhook', () => {
  const c = loadConfig({})
  assert.is(c.availability.graceMs, 30_000)
  assert.equal(c.availability.silenceMs, {
    scanner: 300_000,
    button: 21_600_000,
    beacon: 300_000,
    default: 900_000,
  })
  assert.equal([c.alerts.repeatMs, c.alerts.quietHours, c.alerts.webhook], [3_600_000, null, undefined])
  assert.equal([c.alerts.batteryLowV, c.alerts.batteryEmptyV], [3.4, 3])
})

test('set values are converted to ms and volts', () => {
  const c = loadConfig({
    RELAIS_OFFLINE_GRACE_S: '45',
    RELAIS_SILENCE_BUTTON_S: '7200',
    RELAIS_ALERT_REPEAT_MIN: '15',
    RELAIS_ALERT_QUIET_HOURS: '22:30-6:45',
    RELAIS_ALERT_BATTERY_MV: '3600',
    RELAIS_ALERT_WEBHOOK_URL: 'https://ops.example/hooks',
    RELAIS_ALERT_WEBHOOK_SECRET: 'x'.repeat(16),
  })
  assert.equal(
    [c.availability.graceMs, c.availability.silenceMs.button, c.alerts.repeatMs, c.alerts.batteryLowV],
    [45_000, 7_200_000, 900_000, 3.6],
  )
  assert.equal(c.alerts.quietHours, { fromMin: 22 * 60 + 30, toMin: 6 * 60 + 45 })
  assert.equal(c.alerts.webhook, { url: 'https://ops.example/hooks', secret: 'x'.repeat(16) })
})

test('every bad value is listed, each naming its variable', () => {
  const bad = {
    RELAIS_OFFLINE_GRACE_S: '-1',
    RELAIS_SILENCE_SCANNER_S: 'soon',
    RELAIS_ALERT_TICK_MS: '5',
    RELAIS_ALERT_QUIET_HOURS: 'nights',
    RELAIS_ALERT_BATTERY_EMPTY_MV: '3500',
    RELAIS_ALERT_WEBHOOK_URL: 'ftp://ops.example',
  }
  let err: unknown
  try {
    loadConfig(bad)
  } catch (e) {
    err = e
  }
  assert.instance(err, ConfigError)
  const problems = (err as ConfigError).problems.join('\n')
  for (const name of [...Object.keys(bad), 'RELAIS_ALERT_WEBHOOK_SECRET'])
    assert.ok(problems.includes(name), `${name} in:\n${problems}`)
})

test.run()
