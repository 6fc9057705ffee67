// The fleet at a glance: counts per state over the whole fleet, then one row per agent that passes the
// filters (kind, state, placement and tag, applied in the page so they answer as fast as one types).
const live = await import(document.getElementById('mod-live').href)
const text = await import(document.getElementById('mod-text').href)
const { el } = live
const { STATE_WORDS, placement, stateDetail } = text

const $ = (id) => document.getElementById(id)

export function readFilters() {
  return {
    kind: $('f-kind').value,
    state: $('f-state').value,
    place: $('f-place').value.trim().toLowerCase(),
    tag: $('f-tag').value.trim().toLowerCase(),
  }
}

export function matches(a, f) {
  if (f.kind && !a.kinds.includes(f.kind)) return false
  if (f.state && a.state !== f.state) return false
  if (f.place && !placement(a).toLowerCase().includes(f.place)) return false
  if (f.tag && !a.tags.some((t) => t.includes(f.tag))) return false
  return true
}

function devices(a) {
  if (a.devices.length === 0) return el('span', { class: 'small', text: 'none reported' })
  return el(
    'span',
    {},
    a.devices.map((d) =>
      el('span', {
        class: 'dev small',
        'data-device': d.id,
        'data-state': d.state,
        text: `${d.id}: ${d.state}${d.detail ? ` (${d.detail})` : ''}`,
      }),
    ),
  )
}

function outbox(a) {
  if (a.pending === null && a.dropped === null) return '?'
  return `${a.pending ?? '?'} waiting${a.dropped ? `, ${a.dropped} dropped` : ''}`
}

function row(a) {
  return el('tr', { 'data-agent': a.agent, 'data-state': a.state }, [
    el('td', {}, [el('a', { href: `#agent=${encodeURIComponent(a.agent)}`, text: a.agent })]),
    el('td', { text: a.kinds.join(', ') || '?' }),
    el('td', { text: placement(a) }),
    el('td', { text: a.tags.join(', ') }),
    el('td', { class: 'state', 'data-state': a.state }, [
      el('strong', { text: STATE_WORDS[a.state] }),
      el('span', { class: 'small', text: stateDetail(a) }),
    ]),
    el('td', {}, [devices(a)]),
    el('td', { text: a.firmwareVersion ?? '?' }),
    el('td', { text: outbox(a) }),
    el('td', { class: a.openAlerts > 0 ? 'alerts-n' : '', text: String(a.openAlerts) }),
  ])
}

export function renderFleet(view, filters) {
  for (const s of ['online', 'offline', 'unknown']) $(`count-${s}`).textContent = String(view.counts[s])
  const shown = view.agents.filter((a) => matches(a, filters))
  $('rows').replaceChildren(...shown.map(row))
  $('empty').hidden = shown.length > 0
}
