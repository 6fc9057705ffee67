// Pickup requests in plain words, for the courier's and the customer's pages. Times are shown in the
// browser's own time zone with Intl.DateTimeFormat (the API sends epoch ms); a test passes timeZone and
// locale to get fixed strings. Pure (no DOM), so cloud/test/pickup-text.test.ts runs it in Node.

/** Formatters for one locale and zone (both default to the browser's). */
export function formats({ locale, timeZone } = {}) {
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone })
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone })
  const ymd = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZone,
  })
  const f = {
    /** 10:52 */
    time: (ms) => time.format(ms),
    /** Mon 12 Nov */
    day: (ms) => day.format(ms),
    /** 2026-11-12: the local calendar day, for comparing days and for <input type="date">. */
    ymd: (ms) => ymd.format(ms),
    /** 10:52 on the day of `now`, "Mon 12 Nov, 10:52" on any other. */
    when: (ms, now = Date.now()) => (f.ymd(ms) === f.ymd(now) ? f.time(ms) : `${f.day(ms)}, ${f.time(ms)}`),
  }
  return f
}

export const windowText = (w, f) => `${f.time(w.from)}–${f.time(w.to)}`

/** When the request reached its state: the transition that made it so, else its last change. */
export function reachedAt(p) {
  const t = (p.transitions ?? []).filter((x) => x.to === p.state).at(-1)
  return t ? t.at : p.updatedAt
}

export const OPEN_STATES = ['requested', 'scheduled']
export const isOpen = (p) => OPEN_STATES.includes(p.state)

/** The request's state as the customer reads it: "Courier expected between 10:40 and 11:40". */
export function stateText(p, f, now = Date.now()) {
  switch (p.state) {
    case 'requested':
      return 'Request received'
    case 'scheduled':
      return p.window
        ? `Courier expected between ${f.time(p.window.from)} and ${f.time(p.window.to)}`
        : 'Courier scheduled'
    case 'collected':
      return `Collected at ${f.when(reachedAt(p), now)}`
    case 'not_found':
      return `Nothing found: ${p.reason ?? 'no reason given'}`
    case 'cancelled':
      return 'Cancelled'
    case 'expired':
      return 'Expired'
    default:
      return String(p.state)
  }
}

/** Who made a transition, in the customer's terms (TransitionView.by: 'agent/device', 'courier:<id>'...). */
export function byText(by) {
  if (by.startsWith('courier:')) return 'by the courier'
  if (by.startsWith('ops:')) return 'by Relais support'
  if (by.startsWith('site:')) return 'on this page'
  if (by === 'system') return ''
  if (by.includes('/')) return 'at the button'
  return ''
}

/** One line of a request's history: "Cancelled at the button (long press)". */
export function transitionText(t) {
  const what = {
    requested: 'Request received',
    scheduled: "Put on the courier's round",
    collected: 'Collected',
    not_found: 'Nothing found',
    cancelled: 'Cancelled',
    expired: 'Expired',
  }[t.to]
  const by = byText(t.by)
  const words = [what ?? t.to, by].filter(Boolean).join(' ')
  // A plan's reason names the round and its revision: for the depot's logs, not for the customer.
  return t.reason && t.to !== 'scheduled' ? `${words}: ${t.reason}` : words
}
