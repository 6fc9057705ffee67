// The household page: the shopping list live, check off, quantities, the unknown-products inbox and the
// scanners' status. Plain ES module, no build step, no framework. The token comes from the URL fragment
// (#token=..., never sent to a server), is kept in localStorage and sent as a bearer token. The live
// stream is read with fetch(), because EventSource cannot send an Authorization header.

const household = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const storeKey = `relais.token.${household}`
const base = `/api/households/${encodeURIComponent(household)}`
const $ = (id) => document.getElementById(id)

const state = { list: null, unknown: [], agents: [], stopped: false }
const token = takeToken()

// Token ------------------------------------------------------------------------------------------------

function takeToken() {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromLink) {
    try {
      localStorage.setItem(storeKey, fromLink)
    } catch {
      // Private mode: the page still works until it is closed.
    }
    // Out of the address bar, the history and any screenshot; it stays in localStorage.
    history.replaceState(null, '', location.pathname + location.search)
    return fromLink
  }
  try {
    return localStorage.getItem(storeKey)
  } catch {
    return null
  }
}

function authFailed(reason) {
  state.stopped = true
  try {
    localStorage.removeItem(storeKey)
  } catch {}
  $('app').hidden = true
  $('status').hidden = true
  $('auth-reason').textContent = reason
  $('auth').hidden = false
  setLive('off', 'Not connected')
}

// API --------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

async function api(method, path, body) {
  let res
  try {
    res = await fetch(base + path, {
      method,
      cache: 'no-store',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached')
  }
  if (res.status === 204) return null
  const data = await res.json().catch(() => null)
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error ?? `http_${res.status}`, data?.message ?? res.statusText)
    if (res.status === 401 || res.status === 403) authFailed(authReason(err))
    throw err
  }
  return data
}

function authReason(err) {
  if (err.status === 403) return 'This link belongs to another household.'
  return `The server did not accept this link (${err.message}).`
}

// Messages ---------------------------------------------------------------------------------------------

// A failed read clears itself once reads work again; a failed action stays until dismissed.
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

function announce(text) {
  const region = $('announce')
  // Emptied first, so the same words said twice are announced twice.
  region.textContent = ''
  setTimeout(() => {
    region.textContent = text
  }, 50)
}

function setLive(kind, text) {
  $('live').dataset.state = kind
  $('live-text').textContent = text
}

// Rendering helpers ------------------------------------------------------------------------------------

let uid = 0
const nextId = (prefix) => `${prefix}-${++uid}`

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v
    else node.setAttribute(k, v)
  }
  for (const c of children) node.append(c)
  return node
}

function trashIcon() {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6')
  path.setAttribute('fill', 'none')
  path.setAttribute('stroke', 'currentColor')
  path.setAttribute('stroke-width', '2')
  path.setAttribute('stroke-linecap', 'round')
  path.setAttribute('stroke-linejoin', 'round')
  svg.append(path)
  return svg
}

/** Puts one element per entry into `parent`, in order, reusing `pool`'s elements by key. */
function reconcile(parent, entries, pool, create, update) {
  const keep = new Set()
  entries.forEach((entry, i) => {
    const key = entry.key
    let node = pool.get(key)
    if (node === undefined) {
      node = create(entry)
      pool.set(key, node)
    }
    keep.add(key)
    update(node, entry)
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null)
  })
  for (const child of [...parent.children]) if (!keep.has(child.dataset.key)) child.remove()
  return keep
}

/** Re-renders without losing the keyboard focus when the focused control moved or was rebuilt. */
function keepingFocus(render) {
  const key = document.activeElement?.dataset?.focusKey
  render()
  if (key && document.activeElement?.dataset?.focusKey !== key) {
    document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus({ preventScroll: true })
  }
}

function ago(ms) {
  const s = Math.max(0, (Date.now() - ms) / 1000)
  if (s < 45) return 'just now'
  if (s < 90) return '1 min ago'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
}

/** 13:53 today, 12 Nov 13:53 before. */
function clock(ms) {
  const d = new Date(ms)
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  if (d.toDateString() === new Date().toDateString()) return time
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${time}`
}

function timeEl(ms) {
  return el('time', {
    datetime: new Date(ms).toISOString(),
    title: new Date(ms).toLocaleString(),
    text: ago(ms),
  })
}

const nameOf = (item) => item.name ?? `Unknown product ${item.code}`

// The list ---------------------------------------------------------------------------------------------

const itemNodes = new Map()

function createItem() {
  const check = el('input', { type: 'checkbox', class: 'check', id: nextId('check') })
  const title = el('span', { class: 'title' })
  const code = el('span', { class: 'code' })
  // The space keeps "Unknown product 2000000000015" one phrase in the text; flex layout ignores it.
  const label = el('label', { class: 'name', for: check.id }, [title, ' ', code])
  const less = el('button', { type: 'button', class: 'step', text: '−' })
  const qty = el('span', { class: 'qty-value' })
  const more = el('button', { type: 'button', class: 'step', text: '+' })
  const del = el('button', { type: 'button', class: 'icon-button delete' }, [trashIcon()])
  const li = el('li', { class: 'item' }, [check, label, el('div', { class: 'qty' }, [less, qty, more]), del])
  const id = () => li.dataset.key
  check.addEventListener('change', () => setChecked(id(), check.checked))
  less.addEventListener('click', () => changeQuantity(id(), -1))
  more.addEventListener('click', () => changeQuantity(id(), +1))
  del.addEventListener('click', () => deleteItem(id()))
  Object.assign(li, { parts: { check, title, code, less, qty, more, del } })
  return li
}

function updateItem(li, item) {
  const { check, title, code, less, qty, more, del } = li.parts
  const name = nameOf(item)
  li.dataset.key = item.id
  li.classList.toggle('unknown', item.unknown)
  check.checked = item.checked
  check.setAttribute('aria-label', name) // the code beside the name is for eyes, not for every announcement
  check.dataset.focusKey = `check:${item.id}`
  // An unknown product's code goes on its second line, where it cannot crowd the controls.
  title.textContent = item.name ?? 'Unknown product'
  code.textContent = item.code
  qty.textContent = String(item.quantity)
  less.disabled = item.quantity <= 1
  less.setAttribute('aria-label', `Decrease quantity of ${name}`)
  less.dataset.focusKey = `less:${item.id}`
  more.disabled = item.quantity >= 999
  more.setAttribute('aria-label', `Increase quantity of ${name}`)
  more.dataset.focusKey = `more:${item.id}`
  del.setAttribute('aria-label', `Delete ${name}`)
  del.dataset.focusKey = `delete:${item.id}`
}

function renderList() {
  const items = (state.list?.items ?? []).map((i) => ({ ...i, key: i.id }))
  const todo = items.filter((i) => !i.checked)
  const done = items.filter((i) => i.checked)
  keepingFocus(() => {
    const kept = new Set([
      ...reconcile($('todo'), todo, itemNodes, createItem, updateItem),
      ...reconcile($('done'), done, itemNodes, createItem, updateItem),
    ])
    for (const key of itemNodes.keys()) if (!kept.has(key)) itemNodes.delete(key)
  })
  $('todo-count').textContent = todo.length > 0 ? String(todo.length) : ''
  $('todo-empty').hidden = todo.length > 0 || state.list === null
  $('done-heading').hidden = done.length === 0
  $('done-count').textContent = String(done.length)
  if (state.list) {
    $('title').textContent = state.list.list.name
    $('subtitle').textContent = state.list.household.name
    document.title = `${state.list.list.name} · ${state.list.household.name}`
  }
}

/** Says what scans added: an item is new, or its last scan moved (people's own edits never move it). */
function announceScans(before, after) {
  const old = new Map(before.items.map((i) => [i.id, i]))
  const said = []
  for (const item of after.items) {
    const prev = old.get(item.id)
    if (prev === undefined || (item.lastScanAt !== prev.lastScanAt && !item.checked)) {
      said.push(
        prev === undefined || item.quantity === 1 ? nameOf(item) : `${nameOf(item)} (${item.quantity})`,
      )
      itemNodes.get(item.id)?.classList.add('fresh')
      setTimeout(() => itemNodes.get(item.id)?.classList.remove('fresh'), 1700)
    }
  }
  if (said.length > 0) announce(`Added: ${said.join(', ')}`)
}

const findItem = (id) => state.list?.items.find((i) => i.id === id)

function putItem(item) {
  if (!state.list) return
  state.list.items = state.list.items.map((i) => (i.id === item.id ? item : i))
  renderList()
}

async function patchItem(id, patch, what) {
  const item = findItem(id)
  if (!item) return
  putItem({ ...item, ...patch }) // at once; the answer or the next refresh corrects it
  try {
    const updated = await api('PATCH', `/items/${encodeURIComponent(id)}`, patch)
    putItem(updated)
    return updated
  } catch (err) {
    showError(`Could not ${what} ${nameOf(item)}`, err)
    refresh('list')
  }
}

async function changeQuantity(id, delta) {
  const item = findItem(id)
  if (!item) return
  const quantity = Math.min(999, Math.max(1, item.quantity + delta))
  if (quantity === item.quantity) return
  const updated = await patchItem(id, { quantity }, 'change the quantity of')
  if (updated) announce(`${nameOf(updated)}: ${updated.quantity}`)
}

async function setChecked(id, checked) {
  const updated = await patchItem(id, { checked }, checked ? 'check off' : 'uncheck')
  if (updated) announce(`${checked ? 'Checked off' : 'Back on the list'}: ${nameOf(updated)}`)
}

async function deleteItem(id) {
  const item = findItem(id)
  if (!item || !state.list) return
  state.list.items = state.list.items.filter((i) => i.id !== id)
  renderList()
  $('list-heading').focus({ preventScroll: true }) // its button is gone; keep the keyboard in the list
  try {
    await api('DELETE', `/items/${encodeURIComponent(id)}`)
    announce(`Deleted: ${nameOf(item)}`)
  } catch (err) {
    showError(`Could not delete ${nameOf(item)}`, err)
    refresh('list')
  }
}

// The unknown-products inbox ---------------------------------------------------------------------------

const inboxNodes = new Map()

function createProduct() {
  const input = el('input', { id: nextId('name'), name: 'name', autocomplete: 'off', maxlength: '200' })
  input.setAttribute('placeholder', 'What is it?')
  const label = el('label', { for: input.id })
  const seen = el('p', { class: 'seen' })
  const button = el('button', { type: 'submit', class: 'primary', text: 'Name it' })
  const form = el('form', {}, [label, seen, el('div', { class: 'name-row' }, [input, button])])
  const li = el('li', {}, [form])
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    nameProduct(li.dataset.key, input, button)
  })
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'))
  Object.assign(li, { parts: { input, label, seen, button } })
  return li
}

function updateProduct(li, p) {
  const { input, label, seen, button } = li.parts
  li.dataset.key = p.key
  input.dataset.focusKey = `name:${p.key}`
  button.dataset.focusKey = `name-it:${p.key}`
  button.setAttribute('aria-label', `Name it: ${p.code}`)
  label.replaceChildren('Unknown product ', el('code', { text: p.code }))
  seen.replaceChildren(`Scanned ${p.scans === 1 ? 'once' : `${p.scans} times`}, last `, timeEl(p.lastSeen))
}

function renderInbox() {
  const products = state.unknown.map((p) => ({ ...p, key: p.key }))
  keepingFocus(() => {
    const kept = reconcile($('unknown'), products, inboxNodes, createProduct, updateProduct)
    for (const key of inboxNodes.keys()) if (!kept.has(key)) inboxNodes.delete(key)
  })
  $('inbox').hidden = products.length === 0
  $('inbox-count').textContent = String(products.length)
}

async function nameProduct(key, input, button) {
  const name = input.value.trim()
  if (name === '') {
    input.setAttribute('aria-invalid', 'true')
    showError('Could not name the product', 'type a name first')
    input.focus()
    return
  }
  button.disabled = true
  try {
    await api('PUT', `/unknown/${encodeURIComponent(key)}`, { name })
    const code = state.unknown.find((p) => p.key === key)?.code ?? key
    input.value = ''
    state.unknown = state.unknown.filter((p) => p.key !== key)
    renderInbox()
    if (document.activeElement === document.body) $('list-heading').focus({ preventScroll: true })
    announce(`Named: ${code} is ${name}`)
    refresh('list', 'unknown')
  } catch (err) {
    showError(`Could not name ${key}`, err)
  } finally {
    button.disabled = false
  }
}

// Scanners ---------------------------------------------------------------------------------------------

function renderAgents() {
  const agents = state.agents
  $('scanners-heading').textContent = agents.length > 1 ? 'Scanners' : 'Scanner'
  $('no-agents').hidden = agents.length > 0
  $('agents').replaceChildren(
    ...agents.map((a) => {
      const line = el('p', { class: 'agent-line' }, [
        el('span', { class: 'agent-state', text: a.online ? 'Online' : 'Offline' }),
        el('span', {
          class: 'agent-since',
          text: a.since === null ? ' · not connected yet' : ` since ${clock(a.since)}`,
        }),
      ])
      const meta = el('p', { class: 'agent-meta' }, [
        el('span', { class: 'agent-name', text: a.agent }),
        el('span', {}, a.lastScanAt === null ? ['No scan yet'] : ['Last scan ', timeEl(a.lastScanAt)]),
        el('span', {
          class: a.pending ? 'busy' : '',
          text: `Pending: ${a.pending ?? '–'}`,
          title: a.pending === null ? 'not reported yet' : 'scans waiting on the scanner to be sent',
        }),
        ...a.devices.map((d) =>
          el('span', { text: `${d.id} ${d.state}${d.detail ? ` (${d.detail})` : ''}` }),
        ),
      ])
      const li = el('li', { class: 'agent' }, [el('span', { class: 'dot' }), el('div', {}, [line, meta])])
      li.dataset.online = String(a.online)
      return li
    }),
  )
}

// Loading: coalesced, so a burst of events costs one read of each part --------------------------------

const loaders = {
  list: async () => {
    const list = await api('GET', '/list')
    const before = state.list
    state.list = list
    renderList()
    if (before) announceScans(before, list)
  },
  unknown: async () => {
    state.unknown = (await api('GET', '/unknown')).products
    renderInbox()
  },
  devices: async () => {
    state.agents = (await api('GET', '/devices')).agents
    renderAgents()
  },
}
const labels = { list: 'the list', unknown: 'the unknown products', devices: 'the scanners' }
const wanted = new Set()
let loading = null

function refresh(...parts) {
  for (const p of parts) wanted.add(p)
  loading ??= drain().finally(() => {
    loading = null
  })
  return loading
}

async function drain() {
  while (wanted.size > 0 && !state.stopped) {
    const parts = [...wanted]
    wanted.clear()
    let failed = false
    await Promise.all(
      parts.map((p) =>
        loaders[p]().catch((err) => {
          failed = true
          showError(`Could not load ${labels[p]}`, err, true)
        }),
      ),
    )
    if (!failed && statusFromLoad) $('status').hidden = true
  }
}

// The live stream --------------------------------------------------------------------------------------

let wake = () => {}
const pause = (ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    wake = () => {
      clearTimeout(timer)
      resolve()
    }
  })

function reasonOf(data) {
  try {
    return JSON.parse(data).reason
  } catch {
    return undefined
  }
}

function onFrame(frame) {
  let event = 'message'
  let data = ''
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data += line.slice(5).trim()
  }
  if (event === 'change') {
    // A scan also moves its scanner's "last scan"; anything else touches the list and the inbox only.
    refresh('list', 'unknown', ...(reasonOf(data) === 'scan' ? ['devices'] : []))
  } else if (event === 'device') refresh('devices')
}

async function stream() {
  let failures = 0
  while (!state.stopped) {
    const abort = new AbortController()
    let watchdog
    // Heartbeats come every 25 s; silence for a minute means a dead connection nobody closed.
    const kick = () => {
      clearTimeout(watchdog)
      watchdog = setTimeout(() => abort.abort(), 60_000)
    }
    try {
      setLive('connecting', failures === 0 ? 'Connecting…' : 'Reconnecting…')
      const res = await fetch(`${base}/events`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        cache: 'no-store',
        signal: abort.signal,
      })
      if (res.status === 401 || res.status === 403) {
        const data = await res.json().catch(() => null)
        authFailed(authReason(new ApiError(res.status, data?.error, data?.message ?? res.statusText)))
        return
      }
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`)
      failures = 0
      setLive('live', 'Live')
      kick()
      refresh('list', 'unknown', 'devices') // whatever changed while the stream was down
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        kick()
        buffer += value
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          onFrame(buffer.slice(0, cut))
          buffer = buffer.slice(cut + 2)
        }
      }
    } catch {
      // Dropped, refused or timed out: all the same to the page; it tries again below.
    } finally {
      clearTimeout(watchdog)
    }
    if (state.stopped) return
    failures++
    // Back-off with jitter, capped at 30 s, so a restarted server is not met by every page at once.
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.5 + Math.random() / 2)
    setLive('retry', `Offline, retrying in ${Math.ceil(delay / 1000)} s`)
    await pause(delay)
  }
}

// Start ------------------------------------------------------------------------------------------------

if (!token) {
  authFailed('This page was opened without its key.')
} else {
  refresh('list', 'unknown', 'devices')
  stream()
  // Relative times ("2 min ago") age while the page is open.
  setInterval(() => {
    if (!state.stopped) {
      renderAgents()
      renderInbox()
    }
  }, 30_000)
  // Back on the network or on screen: try at once instead of waiting out the back-off.
  window.addEventListener('online', () => wake())
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake()
  })
}
