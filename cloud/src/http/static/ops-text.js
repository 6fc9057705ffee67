// The words and numbers the ops page shows: times, states, placements, sizes. Pure functions, so the
// list and the device page say the same thing the same way.

const clock = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' })

export const when = (ms) => (ms === null || ms === undefined ? 'never' : clock.format(new Date(ms)))

/** "3 min ago", coarse on purpose: the exact time is in the title. */
export function ago(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return 'never'
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} d ago`
}

export function placement(a) {
  if (a.householdId) return `household ${a.householdId}`
  if (a.siteId) return `site ${a.siteId}`
  if (a.zoneId) return `zone ${a.zoneId}`
  return 'not placed'
}

export const STATE_WORDS = { online: 'online', offline: 'offline', unknown: 'never seen' }

/** The line under the state: since when, and why it went down. */
export function stateDetail(a) {
  const parts = []
  if (a.state !== 'unknown') parts.push(`since ${when(a.since)}`)
  if (a.goingDownSince !== null) parts.push(`link down ${ago(a.goingDownSince)}`)
  if (a.state === 'offline' && a.offlineCause === 'silence') parts.push('silent past its timeout')
  if (a.lastDisconnect) parts.push(`last disconnect: ${a.lastDisconnect.reason}`)
  parts.push(`last seen ${ago(a.lastSeen)}`)
  return parts.join(' · ')
}

export function bytes(n) {
  if (n === null || n === undefined) return '?'
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`
  return `${n} B`
}

/** The health fields charted on the device page, with how to print their values. */
export const CHARTS = [
  { field: 'rss_bytes', title: 'Memory (RSS)', format: bytes },
  { field: 'event_loop_lag_ms', title: 'Event-loop lag (p99)', format: (v) => `${v.toFixed(1)} ms` },
  { field: 'outbox_depth', title: 'Outbox depth', format: (v) => `${Math.round(v)}` },
]
