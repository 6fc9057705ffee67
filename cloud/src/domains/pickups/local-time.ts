// The courier's working day is a local calendar day in RELAIS_TZ, and shifts are local wall-clock
// times; rounds are stored with the day as YYYY-MM-DD. These helpers turn instants into local days and
// local times into instants, across DST changes, with Intl only (Node 20 has full ICU).

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

function parts(ms: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(ms))
    if (p.type !== 'literal') out[p.type] = Number(p.value)
  return out
}

/** Local offset from UTC at `ms`, in ms (Paris in summer: +7,200,000). */
function offsetAt(ms: number, timeZone: string): number {
  const p = parts(ms, timeZone)
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!)
  return asUtc - (ms - (ms % 1000))
}

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** The local calendar day of an instant, YYYY-MM-DD. */
export function localDay(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

/** The day after (calendar arithmetic, no time zone involved). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}

/** True for a real calendar day written YYYY-MM-DD. */
export function isDay(day: string): boolean {
  if (!DAY_PATTERN.test(day)) return false
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === day
}

/**
 * The instant at `minutes` after local midnight of `day` (1440: the next midnight). In the hour a DST
 * change skips, the result is an hour later on the wall clock, as clocks show it.
 */
export function localTime(day: string, minutes: number, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000
  // Two passes: the offset at the first guess may differ from the one at the answer near a change.
  let t = wall - offsetAt(wall, timeZone)
  t = wall - offsetAt(t, timeZone)
  return t
}
