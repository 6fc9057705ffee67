// The courier's page: the day's round in the planner's order, each stop with its window, address, notes
// and map links, "Collected" and "Nothing in the box" per stop, an overview map drawn from the
// coordinates (round-map.js), and the round kept live from the courier's event stream. Plain ES
// modules, no build step; the shared ones are imported by the hashed URLs the shell's
// <link rel="modulepreload"> tags name, so each stays cacheable for a year and a release still
// replaces it at once.

const load = (id) => import(document.getElementById(id).href)
const [live, text, map] = await Promise.all([load('mod-live'), load('mod-text'), load('mod-map')])
const { announce, apiClient, el, followStream, forgetToken, isAuthError, takeToken } = live

const courier = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const storeKey = `relais.courier.${courier}`
const base = `/api/couriers/${encodeURIComponent(courier)}`
const $ = (id) => document.getElementById(id)
const fmt = text.formats()

const state = {
  round: null,
  /** The day asked for (YYYY-MM-DD), or null for the server's today. */
  day: new URLSearchParams(location.search).get('day'),
  /** requestId -> 'collect' | 'not-found' while the API call runs. */
  pending: new Map(),
  /** Sites seen on this page, so a done request still shows its name. */
  sites: new Map(),
  stopped: false,
}
const token = takeToken(storeKey)
const api = apiClient(token, (err) => authFailed(authReason(err)))
// For the site names only: a refusal there says nothing about the round's link.
const quietApi = apiClient(token, () => {})

// Messages ---------------------------------------------------------------------------------------------

function authReason(err) {
  if (err.status === 403) return 'This link is not for this round.'
  return `The server did not accept this link (${err.message}).`
}

function authFailed(reason) {
  state.stopped = true
  forgetToken(storeKey)
  $('app').hidden = true
  $('status').hidden = true
  $('auth-reason').textContent = reason
  $('auth').hidden = false
  setLive('off', 'Not connected')
}

// A failed read clears itself once reads work again; a failed action stays until dismissed.
let statusFromLoad = false
function showError(what, err, fromLoad = false) {
  if (state.stopped) return
  const why = err?.status === 0 ? `${err.message}. The round shown is the last one loaded.` : err?.message
  $('status-text').textContent = `${what}: ${why ?? err}`
  $('status').hidden = false
  statusFromLoad = fromLoad
}
$('status-close').addEventListener('click', () => {
  $('status').hidden = true
})

function setLive(kind, words) {
  $('live').dataset.state = kind
  $('live-text').textContent = words
}

let updatedTimer
function flashUpdated() {
  $('updated').textContent = `Updated ${fmt.time(Date.now())}`
  $('updated').hidden = false
  clearTimeout(updatedTimer)
  updatedTimer = setTimeout(() => {
    $('updated').hidden = true
  }, 4000)
}

// The map ----------------------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg'
function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v
    else node.setAttribute(k, String(v))
  }
  for (const c of children) node.append(c)
  return node
}

function renderMap(round) {
  const m = map.roundMapModel(round)
  const root = $('map')
  root.setAttribute('viewBox', `0 0 ${m.width} ${m.height}`)
  const n = m.stops.length
  const label = `Map of the round: the depot and ${n} ${n === 1 ? 'stop' : 'stops'} in visiting order`
  const parts = [svg('title', { id: 'map-label', text: label })]
  if (m.back) parts.push(svg('path', { d: m.back, class: 'route-back' }))
  if (m.route) parts.push(svg('path', { d: m.route, class: 'route' }))
  parts.push(
    svg('g', { class: 'depot-marker', transform: `translate(${m.depot.x} ${m.depot.y})` }, [
      svg('title', { text: `Depot: ${m.depot.name}` }),
      svg('rect', { x: -11, y: -11, width: 22, height: 22, rx: 4 }),
      svg('text', { 'text-anchor': 'middle', dy: '0.35em', text: 'D' }),
    ]),
  )
  // Drawn last first, so stop 1 sits on top where markers overlap.
  for (const s of [...m.stops].reverse()) {
    parts.push(
      svg('g', { class: 'stop-marker', 'data-seq': s.seq, transform: `translate(${s.x} ${s.y})` }, [
        svg('title', { text: `Stop ${s.label}: ${s.name}` }),
        svg('circle', { r: 13 }),
        svg('text', { 'text-anchor': 'middle', dy: '0.35em', text: s.label }),
      ]),
    )
  }
  root.replaceChildren(...parts)
}

// Stops ------------------------------------------------------------------------------------------------

const looksLikePhone = (s) => /^\+?[\d\s().-]{6,}$/.test(s)

function timeRange(w) {
  return el('span', { class: 'window' }, [
    el('time', { datetime: new Date(w.from).toISOString(), text: fmt.time(w.from) }),
    '–',
    el('time', { datetime: new Date(w.to).toISOString(), text: fmt.time(w.to) }),
  ])
}

function stopItem(stop) {
  const { site, request } = stop
  const busy = state.pending.get(request.id)
  const collect = el('button', {
    type: 'button',
    class: 'primary big',
    'aria-label': `Collected: ${site.name}`,
    disabled: busy !== undefined,
    text: busy === 'collect' ? 'Saving…' : 'Collected',
  })
  const nothing = el('button', {
    type: 'button',
    class: 'secondary big',
    'aria-label': `Nothing in the box: ${site.name}`,
    disabled: busy !== undefined,
    text: busy === 'not-found' ? 'Saving…' : 'Nothing in the box',
  })
  collect.dataset.focusKey = `collect:${request.id}`
  nothing.dataset.focusKey = `nothing:${request.id}`
  collect.addEventListener('click', () => markCollected(stop))
  nothing.addEventListener('click', () => askNotFound(stop))
  const contact = site.contact
    ? el('p', { class: 'contact' }, [
        'Contact: ',
        looksLikePhone(site.contact)
          ? el('a', { href: `tel:${site.contact.replace(/[^\d+]/g, '')}`, text: site.contact })
          : site.contact,
      ])
    : null
  const li = el('li', { class: 'stop' }, [
    el('div', { class: 'stop-head' }, [
      el('span', { class: 'seq', 'aria-hidden': 'true', text: String(map.stopNumber(stop)) }),
      el('h3', {}, [el('span', { class: 'sr-only', text: `Stop ${map.stopNumber(stop)}: ` }), site.name]),
      timeRange(stop.window),
    ]),
    el('p', { class: 'address', text: site.address }),
    site.notes ? el('p', { class: 'notes', text: site.notes }) : null,
    contact,
    el('p', { class: 'links' }, [
      el('a', { href: stop.mapUrl, target: '_blank', rel: 'noopener noreferrer', text: 'Open map' }),
      el('a', { href: `geo:${site.lat},${site.lon}`, text: 'Navigate (geo)' }),
    ]),
    el('div', { class: 'actions' }, [collect, nothing]),
  ])
  li.dataset.key = request.id
  return li
}

function doneItem(p) {
  const name = state.sites.get(p.siteId)?.name ?? p.siteId
  const ok = p.state === 'collected'
  const li = el('li', { class: `done-item ${ok ? 'ok' : 'nothing'}` }, [
    el('span', { class: 'mark', 'aria-hidden': 'true', text: ok ? '✓' : '∅' }),
    el('div', {}, [
      el('p', { class: 'done-name', text: name }),
      el('p', { class: 'done-state', text: text.stateText(p, fmt) }),
    ]),
  ])
  li.dataset.key = p.id
  return li
}

/** Re-renders without losing the keyboard focus when the focused control was rebuilt. */
function keepingFocus(render) {
  const key = document.activeElement?.dataset?.focusKey
  render()
  if (key) document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus({ preventScroll: true })
}

function render(fresh = new Set()) {
  const r = state.round
  if (!r) return
  for (const s of r.stops) state.sites.set(s.site.id, s.site)
  keepingFocus(() => {
    $('stops').replaceChildren(
      ...r.stops.map((s) => {
        const li = stopItem(s)
        if (fresh.has(s.request.id)) li.classList.add('fresh')
        return li
      }),
    )
    $('done').replaceChildren(...r.done.map(doneItem))
  })
  $('stops-count').textContent = r.stops.length > 0 ? String(r.stops.length) : ''
  $('stops-empty').hidden = r.stops.length > 0
  $('done-count').textContent = r.done.length > 0 ? String(r.done.length) : ''
  $('done-empty').hidden = r.done.length > 0
  const km = (r.lengthM / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })
  $('summary').textContent =
    `${fmt.day(r.startsAt)} · from ${r.depot.name} · ${fmt.time(r.startsAt)}–${fmt.time(r.endsAt)}` +
    (r.stops.length > 0 ? ` · ${km} km` : '')
  $('title').textContent = fmt.day(r.startsAt)
  $('subtitle').textContent = `Round of ${courier}`
  document.title = `Round ${r.day} · ${courier}`
  if (document.activeElement !== $('day')) $('day').value = r.day
  renderMap(r)
}

// Loading: coalesced, so a burst of events costs one read ---------------------------------------------

let wanted = false
let loading = null
function refresh(live = false) {
  wanted = true
  state.liveWanted ||= live
  loading ??= drain().finally(() => {
    loading = null
  })
  return loading
}

async function drain() {
  while (wanted && !state.stopped) {
    wanted = false
    const fromLive = state.liveWanted
    state.liveWanted = false
    try {
      const query = state.day ? `?day=${encodeURIComponent(state.day)}` : ''
      const round = await api('GET', `${base}/round${query}`)
      const before = state.round
      state.round = round
      const fresh = new Set()
      if (before && before.day === round.day) {
        const had = new Set(before.stops.map((s) => s.request.id))
        const now = new Set(round.stops.map((s) => s.request.id))
        const closed = new Set(round.done.map((p) => p.id))
        const added = round.stops.filter((s) => !had.has(s.request.id))
        const gone = before.stops.filter((s) => !now.has(s.request.id) && !closed.has(s.request.id))
        for (const s of added) fresh.add(s.request.id)
        const said = [
          ...added.map((s) => `New stop ${map.stopNumber(s)}: ${s.site.name}`),
          ...gone.map((s) => `Removed: ${s.site.name}`),
        ]
        if (said.length > 0) announce($('announce'), said.join('. '))
      }
      render(fresh)
      learnSites(round.done.map((p) => p.siteId))
      if (fromLive && before) flashUpdated()
      if (statusFromLoad) $('status').hidden = true
    } catch (err) {
      if (!isAuthError(err)) showError('Could not load the round', err, true)
    }
  }
}

/**
 * A request done before this page opened names only its site: ask for the site's name once (couriers may
 * read any site). Without it the list shows the site's id, so a failure here is not worth a message.
 */
const asked = new Set()
async function learnSites(ids) {
  const unknown = [...new Set(ids)].filter((id) => !state.sites.has(id) && !asked.has(id))
  if (unknown.length === 0) return
  for (const id of unknown) asked.add(id)
  const views = await Promise.all(
    unknown.map((id) => quietApi('GET', `/api/sites/${encodeURIComponent(id)}`).catch(() => null)),
  )
  for (const v of views) if (v?.site) state.sites.set(v.site.id, v.site)
  if (views.some((v) => v?.site)) render()
}

// Actions ----------------------------------------------------------------------------------------------

/** Moves a stop to "done" at once with the API's answer; the next read confirms it. */
function closeStop(requestId, view) {
  const r = state.round
  if (!r) return
  r.stops = r.stops.filter((s) => s.request.id !== requestId)
  r.done = [...r.done.filter((p) => p.id !== requestId), view]
}

async function act(stop, kind, call, what) {
  const id = stop.request.id
  if (state.pending.has(id)) return
  state.pending.set(id, kind)
  render()
  try {
    const view = await call()
    state.pending.delete(id)
    closeStop(id, view)
    render()
    $('stops-heading').focus({ preventScroll: true }) // its buttons are gone; keep the keyboard nearby
    announce($('announce'), `${stop.site.name}: ${text.stateText(view, fmt)}`)
  } catch (err) {
    state.pending.delete(id)
    render()
    if (!isAuthError(err)) showError(`Could not ${what} ${stop.site.name}`, err)
    // Unreachable: nothing to read either, and the stream refetches when it is back.
    if (err.status === 0) return
  }
  refresh()
}

function markCollected(stop) {
  return act(
    stop,
    'collect',
    () => api('POST', `/api/pickups/${encodeURIComponent(stop.request.id)}/collected`, {}),
    'mark as collected',
  )
}

// "Nothing in the box": a reason from a short list, with free text (required for "Other").
const dialog = $('not-found')
let asking = null

function askNotFound(stop) {
  asking = stop
  $('nf-form').reset()
  $('nf-error').hidden = true
  $('nf-site').textContent = `Stop ${map.stopNumber(stop)}: ${stop.site.name}, ${stop.site.address}`
  dialog.showModal()
}

function chosenReason() {
  const form = $('nf-form')
  const choice = form.elements.reason.value
  const details = $('nf-text').value.trim()
  if (choice === '') return { error: 'Choose what happened.' }
  if (choice === 'other') return details ? { reason: details } : { error: 'Say what happened under Details.' }
  return { reason: details ? `${choice}: ${details}` : choice }
}

$('nf-form').addEventListener('submit', (e) => {
  e.preventDefault()
  const { reason, error } = chosenReason()
  if (error) {
    $('nf-error').textContent = error
    $('nf-error').hidden = false
    return
  }
  const stop = asking
  dialog.close()
  asking = null
  if (!stop) return
  act(
    stop,
    'not-found',
    () => api('POST', `/api/pickups/${encodeURIComponent(stop.request.id)}/not-found`, { reason }),
    'report nothing found at',
  )
})
$('nf-cancel').addEventListener('click', () => {
  asking = null
  dialog.close()
})

// The day ----------------------------------------------------------------------------------------------

function showDay(day) {
  state.day = day
  const url = new URL(location.href)
  if (day) url.searchParams.set('day', day)
  else url.searchParams.delete('day')
  history.replaceState(null, '', url.pathname + url.search)
  state.round = null
  refresh()
}
$('day-form').addEventListener('submit', (e) => e.preventDefault())
$('day').addEventListener('change', () => {
  if ($('day').value) showDay($('day').value)
})
$('today').addEventListener('click', () => showDay(null))

// Start ------------------------------------------------------------------------------------------------

if (!token) {
  authFailed('This page was opened without its key.')
} else {
  refresh()
  followStream({
    url: `${base}/events`,
    token,
    stopped: () => state.stopped,
    onOpen: () => refresh(), // whatever changed while the stream was down
    onEvent: (event) => {
      if (event === 'round') refresh(true)
    },
    onState: setLive,
    onAuth: (err) => authFailed(authReason(err)),
  })
}
