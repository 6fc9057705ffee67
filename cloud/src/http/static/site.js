// The customer's page for one site (a letterbox with a pickup button): the current request in plain
// words ("Courier expected between 10:40 and 11:40", "Collected at 10:52"), a Cancel button while it is
// open, and every request with its transitions, kept live from the site's event stream. Plain ES
// modules, no build step; the shared ones are imported by the hashed URLs the shell names.

const load = (id) => import(document.getElementById(id).href)
const [live, text] = await Promise.all([load('mod-live'), load('mod-text')])
const { apiClient, el, followStream, forgetToken, isAuthError, takeToken } = live

const site = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const storeKey = `relais.site.${site}`
const base = `/api/sites/${encodeURIComponent(site)}`
const $ = (id) => document.getElementById(id)
const fmt = text.formats()
// A closed request stays "current" for a day, so "Collected at 10:52" is still there in the evening.
const SHOW_CLOSED_MS = 86_400_000

const state = { view: null, stopped: false, cancelling: false }
const token = takeToken(storeKey)
const api = apiClient(token, (err) => authFailed(authReason(err)))

// Messages ---------------------------------------------------------------------------------------------

function authReason(err) {
  if (err.status === 403) return 'This link is for another address.'
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

let statusFromLoad = false
function showError(what, err, fromLoad = false) {
  if (state.stopped) return
  $('status-text').textContent = `${what}: ${err?.message ?? err}`
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

// Rendering --------------------------------------------------------------------------------------------

/** The request the page leads with: the open one, else the latest if it closed within a day. */
function shown(view, now = Date.now()) {
  if (view.current) return view.current
  const last = view.history[0]
  return last && now - last.updatedAt < SHOW_CLOSED_MS ? last : null
}

function detailOf(p) {
  const parts = [`Requested ${fmt.when(p.requestedAt)}`]
  if (p.state === 'requested') parts.push('a courier will be assigned shortly')
  if (p.state === 'scheduled') parts.push('leave the parcel in the letterbox')
  if (p.state === 'collected' && p.reason) parts.push(`courier’s note: ${p.reason}`)
  if (p.state === 'cancelled' && p.reason) parts.push(p.reason)
  if (!text.isOpen(p)) parts.push('press the button to ask for a new pickup')
  return `${parts.join(' · ')}.`
}

function renderCurrent() {
  const p = shown(state.view)
  const big = $('current-state')
  if (p === null) {
    big.textContent = 'No open request'
    big.dataset.state = 'none'
    $('current-detail').textContent = 'Put your parcel in the letterbox and press the button.'
  } else {
    big.textContent = text.stateText(p, fmt)
    big.dataset.state = p.state
    $('current-detail').textContent = detailOf(p)
  }
  const open = p !== null && text.isOpen(p)
  $('cancel').hidden = !open
  $('cancel').disabled = state.cancelling
  $('cancel').textContent = state.cancelling ? 'Cancelling…' : 'Cancel request'
}

function historyItem(p) {
  const steps = (p.transitions ?? []).map((t) =>
    el('li', {}, [
      // Under a heading that names the day: the time alone, unless a step fell on a later day.
      el('time', { datetime: new Date(t.at).toISOString(), text: fmt.when(t.at, p.requestedAt) }),
      ' ',
      text.transitionText(t),
    ]),
  )
  return el('li', { class: 'request', 'data-state': p.state }, [
    el('h3', { text: `${fmt.day(p.requestedAt)}: ${text.stateText(p, fmt, p.requestedAt)}` }),
    steps.length > 0 ? el('ol', { class: 'steps', 'aria-label': 'What happened' }, steps) : null,
  ])
}

function render() {
  const v = state.view
  if (!v) return
  $('title').textContent = v.site.name
  $('subtitle').textContent = v.site.address
  document.title = `Pickup · ${v.site.name}`
  renderCurrent()
  $('history').replaceChildren(...v.history.map(historyItem))
  $('history-empty').hidden = v.history.length > 0
}

// Loading: coalesced, so a burst of events costs one read ---------------------------------------------

let wanted = false
let loading = null
function refresh() {
  wanted = true
  loading ??= drain().finally(() => {
    loading = null
  })
  return loading
}

async function drain() {
  while (wanted && !state.stopped) {
    wanted = false
    try {
      state.view = await api('GET', base)
      render()
      if (statusFromLoad) $('status').hidden = true
    } catch (err) {
      if (!isAuthError(err)) showError('Could not load your pickups', err, true)
    }
  }
}

// Cancel -----------------------------------------------------------------------------------------------

const dialog = $('cancel-dialog')
$('cancel').addEventListener('click', () => {
  $('cancel-form').reset()
  dialog.showModal()
})
$('cancel-back').addEventListener('click', () => dialog.close())
$('cancel-form').addEventListener('submit', async (e) => {
  e.preventDefault()
  dialog.close()
  const p = state.view?.current
  if (!p || state.cancelling) return
  const reason = $('cancel-reason').value || 'cancelled by the customer'
  state.cancelling = true
  renderCurrent()
  try {
    const closed = await api('POST', `/api/pickups/${encodeURIComponent(p.id)}/cancel`, { reason })
    const history = state.view.history.map((h) => (h.id === closed.id ? closed : h))
    state.view = { ...state.view, current: null, history }
    state.cancelling = false
    render()
    $('current-heading').focus({ preventScroll: true })
  } catch (err) {
    state.cancelling = false
    renderCurrent()
    if (!isAuthError(err)) showError('Could not cancel the request', err)
    if (err.status === 0) return // the stream refetches when the network is back
  }
  refresh()
})

// Start ------------------------------------------------------------------------------------------------

if (!token) {
  authFailed('This page was opened without its key.')
} else {
  refresh()
  followStream({
    url: `${base}/events`,
    token,
    stopped: () => state.stopped,
    onOpen: () => refresh(),
    onEvent: (event) => {
      if (event === 'pickup') refresh()
    },
    onState: setLive,
    onAuth: (err) => authFailed(authReason(err)),
  })
  // "Requested 10:02" becomes "Mon 12 Nov, 10:02" after midnight; a closed request leaves after a day.
  setInterval(() => {
    if (!state.stopped) render()
  }, 60_000)
}
