// The ops page (/ops): every agent at a glance, and one agent's page at /ops#agent=<id>. Plain ES
// modules, no build step: the token comes from the URL fragment (live.js), never from the server, and
// one event stream (GET /api/fleet/events) tells the page which agent to read again.
const live = await import(document.getElementById('mod-live').href)
const list = await import(document.getElementById('mod-list').href)
const agentMod = await import(document.getElementById('mod-agent').href)
const { apiClient, followStream, forgetToken, isAuthError, takeToken } = live

const storeKey = 'relais.ops'
const $ = (id) => document.getElementById(id)
const state = { stopped: false, fleet: null }

// A link may carry both: /ops#token=...&agent=kitchen-pi. takeToken clears the fragment, so the agent
// is read first and put back after.
const firstAgent = new URLSearchParams(location.hash.slice(1)).get('agent')
const token = takeToken(storeKey)
if (firstAgent && !location.hash) history.replaceState(null, '', `#agent=${encodeURIComponent(firstAgent)}`)

const api = apiClient(token, (err) => authFailed(authReason(err)))

function authReason(err) {
  if (err.status === 403) return 'This link is not an ops link.'
  return `The server did not accept this link (${err.message}).`
}

function authFailed(reason) {
  state.stopped = true
  forgetToken(storeKey)
  $('fleet').hidden = true
  $('agent').hidden = true
  $('auth-reason').textContent = reason
  $('auth').hidden = false
  setLive('off', 'Not connected')
}

function setLive(kind, words) {
  $('live').dataset.state = kind
  $('live-text').textContent = words
}

function showError(message) {
  $('status-text').textContent = message
  $('status').hidden = false
}

const page = agentMod.agentPage(api, showError)

// Coalesced: a burst of events costs one read, and reads are a second apart at most (a large fleet's
// health reports change outbox depths all the time; the list need not follow each one).
let wanted = false
let loading = null
function refreshFleet() {
  wanted = true
  loading ??= (async () => {
    let first = true
    while (wanted && !state.stopped) {
      if (!first) await new Promise((resolve) => setTimeout(resolve, 1000))
      first = false
      wanted = false
      try {
        state.fleet = await api('GET', '/api/fleet/agents')
        list.renderFleet(state.fleet, list.readFilters())
        $('status').hidden = true
      } catch (err) {
        if (isAuthError(err)) return
        showError(`Could not load the fleet: ${err.message}`)
      }
    }
  })().finally(() => {
    loading = null
  })
  return loading
}

function route() {
  if (state.stopped) return
  const agent = new URLSearchParams(location.hash.slice(1)).get('agent')
  $('fleet').hidden = agent !== null
  $('agent').hidden = agent === null
  $('title').textContent = agent === null ? 'Fleet' : `Agent ${agent}`
  document.title = agent === null ? 'Fleet · Relais ops' : `${agent} · Relais ops`
  if (agent === null) {
    page.close()
    refreshFleet()
  } else if (page.agent !== agent) page.open(agent)
}

if (!token) {
  authFailed('This page was opened without its key.')
} else {
  $('filters').addEventListener(
    'input',
    () => state.fleet && list.renderFleet(state.fleet, list.readFilters()),
  )
  $('filters').addEventListener('submit', (e) => e.preventDefault())
  $('back').addEventListener('click', (e) => {
    e.preventDefault()
    history.pushState(null, '', location.pathname)
    route()
  })
  window.addEventListener('hashchange', route)
  route()
  followStream({
    url: '/api/fleet/events',
    token,
    stopped: () => state.stopped,
    onOpen: () => {
      refreshFleet()
      page.refresh()
    },
    onEvent: (event, data) => {
      if (event !== 'agent') return
      if (page.agent === null) refreshFleet()
      else if (data?.agent === page.agent) page.refresh()
    },
    onState: setLive,
    onAuth: (err) => authFailed(authReason(err)),
  })
}
