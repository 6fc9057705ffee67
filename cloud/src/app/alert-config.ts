// Availability and alert settings (issue 6) from the environment, for loadConfig (config.ts): every
// problem is added to its list, so the boot names all of them at once.
import type { AlertSettings } from '../domains/alerts/alert-settings.js'
import { parseQuietHours } from '../domains/alerts/quiet-hours.js'

type Env = Record<string, string | undefined>

export interface AvailabilityConfig {
  /** A link down for less than this is a flap, not an incident. */
  graceMs: number
  /** Silence timeouts per device kind of the agent's birth, and for agents whose kinds are unknown. */
  silenceMs: { scanner: number; button: number; beacon: number; default: number }
}

export interface AlertConfig extends Omit<AlertSettings, 'timeZone'> {
  /** POST every alert notice here (signed like the pickup webhooks) when set. */
  webhook?: { url: string; secret: string }
}

const S = 1000
const MIN = 60 * S
const H = 60 * MIN
const DAY = 24 * H

export function loadAlertConfig(
  env: Env,
  problems: string[],
): { availability: AvailabilityConfig; alerts: AlertConfig } {
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return def
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`)
      return def
    }
    return n
  }
  const quietRaw = env.RELAIS_ALERT_QUIET_HOURS ?? ''
  const quiet = quietRaw === '' ? null : (parseQuietHours(quietRaw) ?? null)
  if (quietRaw !== '' && quiet === null)
    problems.push(`RELAIS_ALERT_QUIET_HOURS=${quietRaw}: expected local hours like 22:00-07:00`)

  let webhook: AlertConfig['webhook']
  const hookUrl = env.RELAIS_ALERT_WEBHOOK_URL ?? ''
  if (hookUrl !== '') {
    let okUrl = false
    try {
      okUrl = ['http:', 'https:'].includes(new URL(hookUrl).protocol)
    } catch {}
    if (!okUrl) problems.push(`RELAIS_ALERT_WEBHOOK_URL=${hookUrl}: expected an http:// or https:// URL`)
    const secret = env.RELAIS_ALERT_WEBHOOK_SECRET ?? ''
    if (secret.length < 16)
      problems.push(
        'RELAIS_ALERT_WEBHOOK_URL is set: RELAIS_ALERT_WEBHOOK_SECRET must be at least 16 characters',
      )
    if (okUrl && secret.length >= 16) webhook = { url: hookUrl, secret }
  }

  const availability: AvailabilityConfig = {
    graceMs: int('RELAIS_OFFLINE_GRACE_S', 30, 0, 3600) * S,
    silenceMs: {
      scanner: int('RELAIS_SILENCE_SCANNER_S', 300, 10, 7 * 86_400) * S,
      button: int('RELAIS_SILENCE_BUTTON_S', 6 * 3600, 10, 7 * 86_400) * S,
      beacon: int('RELAIS_SILENCE_BEACON_S', 300, 10, 7 * 86_400) * S,
      default: int('RELAIS_SILENCE_DEFAULT_S', 900, 10, 7 * 86_400) * S,
    },
  }
  const alerts: AlertConfig = {
    tickMs: int('RELAIS_ALERT_TICK_MS', 5000, 100, 600_000),
    repeatMs: int('RELAIS_ALERT_REPEAT_MIN', 60, 1, 7 * 24 * 60) * MIN,
    quietHours: quiet,
    offlineAfterMs: int('RELAIS_ALERT_OFFLINE_S', 300, 0, 7 * 86_400) * S,
    batteryLowPct: int('RELAIS_ALERT_BATTERY_PCT', 20, 1, 99),
    batteryLowV: int('RELAIS_ALERT_BATTERY_MV', 3400, 100, 60_000) / 1000,
    batteryEmptyV: int('RELAIS_ALERT_BATTERY_EMPTY_MV', 3000, 0, 60_000) / 1000,
    batteryDays: int('RELAIS_ALERT_BATTERY_DAYS', 14, 1, 365),
    trendWindowMs: int('RELAIS_ALERT_TREND_DAYS', 7, 1, 90) * DAY,
    backlogReports: int('RELAIS_ALERT_BACKLOG_REPORTS', 5, 2, 1000),
    detachedGraceMs: int('RELAIS_ALERT_DETACHED_S', 300, 0, 7 * 86_400) * S,
    clockGraceMs: int('RELAIS_ALERT_CLOCK_S', 600, 0, 7 * 86_400) * S,
    authFailures: {
      count: int('RELAIS_ALERT_AUTH_FAILURES', 10, 1, 1_000_000),
      windowMs: int('RELAIS_ALERT_AUTH_WINDOW_S', 600, 10, 86_400) * S,
    },
    rejects: {
      count: int('RELAIS_ALERT_REJECTS', 20, 1, 1_000_000),
      windowMs: int('RELAIS_ALERT_REJECTS_WINDOW_S', 600, 10, 86_400) * S,
    },
    webhook,
  }
  if (alerts.batteryEmptyV >= alerts.batteryLowV)
    problems.push('RELAIS_ALERT_BATTERY_EMPTY_MV must be below RELAIS_ALERT_BATTERY_MV')
  return { availability, alerts }
}
