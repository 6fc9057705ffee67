// The alert rules and their helpers, pure: battery trend by least squares, quiet hours across midnight
// and DST, outbox backlog, thresholds with a margin before clearing, windows that trust "nothing" only
// once watched whole.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { AlertSettings } from '../src/domains/alerts/alert-settings.js'
import { daysLeft, linearFit } from '../src/domains/alerts/battery.js'
import { HealthHistory } from '../src/domains/alerts/health-history.js'
import { parseQuietHours, quietUntil } from '../src/domains/alerts/quiet-hours.js'
import { evaluateRules } from '../src/domains/alerts/rules.js'
import { applyStatus, newAvailability } from '../src/domains/availability/availability-state.js'

const DAY = 86_400_000
const T = Date.UTC(2026, 5, 1, 8, 0, 0)
const settings: AlertSettings = {
  tickMs: 5000,
  repeatMs: 3_600_000,
  quietHours: null,
  timeZone: 'Europe/Paris',
  offlineAfterMs: 300_000,
  batteryLowPct: 20,
  batteryLowV: 3.4,
  batteryEmptyV: 3.0,
  batteryDays: 14,
  trendWindowMs: 7 * DAY,
  backlogReports: 3,
  detachedGraceMs: 300_000,
  clockGraceMs: 600_000,
  authFailures: { count: 10, windowMs: 600_000 },
  rejects: { count: 20, windowMs: 600_000 },
}
const none = { counts: new Map<string, number>(), complete: false }

function run(agent: ReturnType<typeof newAvailability>, history: HealthHistory, now: number) {
  return evaluateRules(
    { now, agents: [agent], history, authFailures: none, rejects: none, open: [] },
    settings,
  )
}

test('a revoked agent offline is no incident: its offline alert clears', () => {
  const a = newAvailability('old')
  applyStatus(a, 'online', 's', T)
  a.state = 'offline'
  a.since = T
  const h = new HealthHistory({ trendWindowMs: DAY, sampleEveryMs: 1, depthReports: 3 })
  const input = { now: T + DAY, agents: [a], history: h, authFailures: none, rejects: none, open: [] }
  assert.equal(
    evaluateRules(input, settings).active.map((c) => c.key),
    ['offline:old'],
  )
  const v = evaluateRules({ ...input, revoked: new Set(['old']) }, settings)
  assert.equal([v.active.length, v.ok.has('offline:old')], [0, true])
})

test('linear fit and days left', () => {
  const pts = [0, 1, 2, 3].map((d) => ({ at: T + d * DAY, value: 50 - 2 * d }))
  const fit = linearFit(pts)!
  assert.ok(Math.abs(fit.slope * DAY + 2) < 1e-9)
  assert.ok(Math.abs(daysLeft(pts, T + 3 * DAY, 0, DAY, 4)! - 22) < 1e-6)
  assert.is(daysLeft(pts.slice(0, 3), T + 3 * DAY, 0, DAY, 4), undefined, 'too few points')
  assert.is(
    daysLeft(
      pts.map((p) => ({ ...p, value: 50 })),
      T,
      0,
      DAY,
      4,
    ),
    Number.POSITIVE_INFINITY,
  )
})

test('battery trend: raised under the days threshold, not cleared within the margin', () => {
  const h = new HealthHistory({ trendWindowMs: 7 * DAY, sampleEveryMs: 600_000, depthReports: 3 })
  const a = newAvailability('btn')
  applyStatus(a, 'online', 's', T)
  for (let d = 0; d <= 4; d++) h.record('btn', { battery_pct: 30 - 2 * d }, T + d * DAY)
  const v = run(a, h, T + 4 * DAY) // 22 % left, 2 %/day: 11 days
  assert.equal(
    v.active.map((c) => [c.key, c.details.daysLeft]),
    [['battery_trend:btn', 11]],
  )
})

test('battery history seeded from the time series goes before fresh readings, thinned', () => {
  const h = new HealthHistory({ trendWindowMs: 7 * DAY, sampleEveryMs: 3_600_000, depthReports: 3 })
  h.record('btn', { battery_pct: 20 }, T + 3 * DAY)
  const stored = [0, 1, 2].map((d) => ({ at: T + d * DAY, value: 26 - 2 * d }))
  h.seedBattery('btn', 'v', stored)
  assert.is(h.get('btn')!.battery.length, 1, 'another unit is left out')
  h.seedBattery('btn', 'pct', [
    ...stored,
    { at: T + 3 * DAY - 60_000, value: 20 },
    { at: T + 30_000, value: 26 },
  ])
  assert.equal(
    h.get('btn')!.battery.map((p) => p.value),
    [26, 24, 22, 20],
  )
  const a = newAvailability('btn')
  assert.equal(
    run(a, h, T + 3 * DAY).active.map((c) => c.key),
    ['battery_trend:btn'],
    '10 days left',
  )
})

test('battery low in percent or volts, cleared only past the margin', () => {
  const h = new HealthHistory({ trendWindowMs: 7 * DAY, sampleEveryMs: 600_000, depthReports: 3 })
  const a = newAvailability('btn')
  a.health = { at: T, fields: { battery_v: 3.35 } }
  assert.equal(
    run(a, h, T).active.map((c) => c.key),
    ['battery_low:btn'],
  )
  a.health = { at: T, fields: { battery_pct: 23 } }
  const mid = run(a, h, T)
  assert.equal(
    [mid.active.length, mid.ok.has('battery_low:btn')],
    [0, false],
    'within the margin: no verdict',
  )
  a.health = { at: T, fields: { battery_pct: 26 } }
  assert.ok(run(a, h, T).ok.has('battery_low:btn'))
})

test('outbox backlog: rising over N reports; cleared when it falls', () => {
  const h = new HealthHistory({ trendWindowMs: 7 * DAY, sampleEveryMs: 600_000, depthReports: 3 })
  const a = newAvailability('pi')
  for (const d of [1, 2, 3]) h.record('pi', { outbox_depth: d }, T)
  assert.is(run(a, h, T).active.length, 0, 'three reports are two rises')
  h.record('pi', { outbox_depth: 4 }, T)
  assert.equal(
    run(a, h, T).active.map((c) => c.key),
    ['outbox_backlog:pi'],
  )
  h.record('pi', { outbox_depth: 2 }, T)
  assert.ok(run(a, h, T).ok.has('outbox_backlog:pi'))
})

test('windowed rules: nothing counted clears only after a whole window watched', () => {
  const a = newAvailability('pi')
  const h = new HealthHistory({ trendWindowMs: DAY, sampleEveryMs: 1, depthReports: 3 })
  const open = [{ rule: 'auth_failures', subject: '10.0.0.9' }]
  const early = evaluateRules(
    { now: T, agents: [a], history: h, authFailures: none, rejects: none, open },
    settings,
  )
  assert.not.ok(early.ok.has('auth_failures:10.0.0.9'))
  const late = evaluateRules(
    {
      now: T,
      agents: [a],
      history: h,
      authFailures: { counts: new Map(), complete: true },
      rejects: none,
      open,
    },
    settings,
  )
  assert.ok(late.ok.has('auth_failures:10.0.0.9'))
  const hit = evaluateRules(
    {
      now: T,
      agents: [],
      history: h,
      authFailures: { counts: new Map([['10.0.0.9', 10]]), complete: true },
      rejects: none,
      open,
    },
    settings,
  )
  assert.equal(
    hit.active.map((c) => [c.key, c.severity]),
    [['auth_failures:10.0.0.9', 'critical']],
  )
})

test('quiet hours: across midnight, in local time, ending at their end', () => {
  const q = parseQuietHours('22:00-07:00')!
  assert.equal(q, { fromMin: 22 * 60, toMin: 7 * 60 })
  assert.is(parseQuietHours('25-7'), undefined)
  assert.is(parseQuietHours('night'), undefined)
  const tz = 'Europe/Paris'
  const at2330 = Date.UTC(2026, 5, 1, 21, 30) // 23:30 Paris (UTC+2)
  assert.is(quietUntil(q, at2330, tz), Date.UTC(2026, 5, 2, 5, 0))
  const at0300 = Date.UTC(2026, 5, 2, 1, 0)
  assert.is(quietUntil(q, at0300, tz), Date.UTC(2026, 5, 2, 5, 0))
  assert.is(quietUntil(q, Date.UTC(2026, 5, 2, 10, 0), tz), undefined)
  // The night the clocks go back (25 October 2026): 07:00 is UTC+1.
  assert.is(quietUntil(q, Date.UTC(2026, 9, 25, 1, 0), tz), Date.UTC(2026, 9, 25, 6, 0))
})

test.run()
