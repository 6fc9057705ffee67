// Quiet hours (RELAIS_ALERT_QUIET_HOURS, local time in RELAIS_TZ): while they last, repeats and new
// non-critical deliveries wait; they go out when the quiet hours end. A range may cross midnight
// (22:00-07:00). Local times come from the pickups' RELAIS_TZ helpers, so DST days are right.
import { localDay, localTime, nextDay } from '../pickups/local-time.js'

export interface QuietHours {
  fromMin: number
  toMin: number
}

/** Parses `HH:MM-HH:MM` (or `H-H`); undefined when malformed. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const m = /^(\d{1,2})(?::(\d{2}))?-(\d{1,2})(?::(\d{2}))?$/.exec(text.trim())
  if (!m) return undefined
  const from = Number(m[1]) * 60 + Number(m[2] ?? 0)
  const to = Number(m[3]) * 60 + Number(m[4] ?? 0)
  if (from >= 24 * 60 || to > 24 * 60 || from === to || Number(m[2] ?? 0) > 59 || Number(m[4] ?? 0) > 59)
    return undefined
  return { fromMin: from, toMin: to }
}

/** When the quiet hours around `now` end, or undefined when `now` is not in quiet hours. */
export function quietUntil(q: QuietHours | null, now: number, timeZone: string): number | undefined {
  if (q === null) return undefined
  const today = localDay(now, timeZone)
  // The range that started today, and the one that started yesterday and may run into today.
  const yesterday = previousDay(today)
  for (const day of [yesterday, today]) {
    const from = localTime(day, q.fromMin, timeZone)
    const to = localTime(q.toMin > q.fromMin ? day : nextDay(day), q.toMin, timeZone)
    if (now >= from && now < to) return to
  }
  return undefined
}

function previousDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10)
}
