// The staff page of one zone: who of its opted-in members is present now, kept live from the zone's
// event stream (an enter or leave refetches the list). Plain ES module, no build step; the token comes
// from the URL fragment (live.js), never from the server.

const live = await import(document.getElementById('mod-live').href)
const { apiClient, el, followStream, forgetToken, isAuthError, takeToken } = live

const zone = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const storeKey = `relais.zone.${zone}`
const base = `/api/zones/${encodeURIComponent(zone)}/present`
const $ = (id) => document.getElementById(id)
const state = { stopped: false }
const token = takeToken(storeKey)
const api = apiClient(token, (err) => authFailed(authReason(err)))
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })

function authReason(err) {
  if (err.status === 403) return 'This link is for another zone.'
  return `The server did not accept this link (${err.message}).`
}

function authFailed(reason) {
  state.stopped = true
  forgetToken(storeKey)
  $('app').hidden = true
  $('auth-reason').textContent = reason
  $('auth').hidden = false
  setLive('off', 'Not connected')
}

function setLive(kind, words) {
  $('live').dataset.state = kind
  $('live-text').textContent = words
}

function render(view) {
  $('title').textContent = `Present now: ${view.zone.name}`
  document.title = `Present · ${view.zone.name}`
  $('count').textContent = `(${view.present.length})`
  $('present').replaceChildren(
    ...view.present.map((p) =>
      el('li', { class: 'request', 'data-member': p.member }, [
        el('h3', { text: p.ref ?? p.member }),
        el('p', { class: 'detail', text: `here since ${time.format(new Date(p.since))}` }),
      ]),
    ),
  )
  $('empty').hidden = view.present.length > 0
}

// Coalesced: a burst of events costs one read.
let wanted = false
let loading = null
function refresh() {
  wanted = true
  loading ??= (async () => {
    while (wanted && !state.stopped) {
      wanted = false
      try {
        render(await api('GET', base))
        $('status').hidden = true
      } catch (err) {
        if (isAuthError(err)) return
        $('status-text').textContent = `Could not load who is present: ${err.message}`
        $('status').hidden = false
      }
    }
  })().finally(() => {
    loading = null
  })
  return loading
}

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
      if (event === 'enter' || event === 'leave') refresh()
    },
    onState: setLive,
    onAuth: (err) => authFailed(authReason(err)),
  })
}
