// What the courier's and the customer's pages share: the token from the URL fragment, the JSON API with
// it as a bearer token, and the live event stream that survives drops. The household page's discipline
// (household.js): the fragment never reaches a server, the token is kept in localStorage and dropped
// once refused, the stream is read with fetch() because EventSource cannot send an Authorization header.

/** The token from #token=... (then removed from the address bar), else the one kept for `storeKey`. */
export function takeToken(storeKey) {
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

export function forgetToken(storeKey) {
  try {
    localStorage.removeItem(storeKey)
  } catch {}
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** True for the errors that mean "this link's token is not accepted here". */
export const isAuthError = (err) => err instanceof ApiError && (err.status === 401 || err.status === 403)

/**
 * A JSON API client: `api(method, path, body)` resolves with the body, or rejects with an ApiError
 * (status 0 when the server cannot be reached); `onAuth(err)` is called first on a 401 or 403.
 */
export function apiClient(token, onAuth) {
  return async (method, path, body) => {
    let res
    try {
      res = await fetch(path, {
        method,
        cache: 'no-store',
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch {
      throw new ApiError(0, 'network', navigator.onLine ? 'the server cannot be reached' : 'no network')
    }
    if (res.status === 204) return null
    const data = await res.json().catch(() => null)
    if (!res.ok) {
      const err = new ApiError(
        res.status,
        data?.error ?? `http_${res.status}`,
        data?.message ?? res.statusText,
      )
      if (isAuthError(err)) onAuth(err)
      throw err
    }
    return data
  }
}

/** Splits one server-sent-events frame into its event name and its data (comments are heartbeats). */
export function parseFrame(frame) {
  let event = 'message'
  let data = ''
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data += line.slice(5).trim()
  }
  let json = null
  try {
    json = data === '' ? null : JSON.parse(data)
  } catch {}
  return { event, data: json }
}

/**
 * Follows an event stream until `stopped()`: `onOpen()` on every (re)connection, so the page refetches
 * what changed while it was away; `onEvent(event, data)` per event; `onState(kind, text)` for the live
 * indicator ('connecting', 'live', 'retry', 'off'); `onAuth(err)` ends it. A drop, a refusal or a
 * silent minute (heartbeats come every 25 s) is retried with back-off and jitter, capped at 30 s, so a
 * restarted server is not met by every page at once. Returns `wake()`: try again now (back online).
 */
export function followStream({ url, token, stopped, onOpen, onEvent, onState, onAuth }) {
  let wake = () => {}
  let current = null // the open connection's AbortController
  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  ;(async () => {
    let failures = 0
    while (!stopped()) {
      const abort = new AbortController()
      current = abort
      let watchdog
      const kick = () => {
        clearTimeout(watchdog)
        watchdog = setTimeout(() => abort.abort(), 60_000)
      }
      try {
        onState('connecting', failures === 0 ? 'Connecting…' : 'Reconnecting…')
        const res = await fetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          cache: 'no-store',
          signal: abort.signal,
        })
        if (res.status === 401 || res.status === 403) {
          const data = await res.json().catch(() => null)
          onAuth(new ApiError(res.status, data?.error, data?.message ?? res.statusText))
          return
        }
        if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`)
        failures = 0
        onState('live', 'Live')
        kick()
        onOpen()
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          kick()
          buffer += value.replaceAll('\r\n', '\n')
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const { event, data } = parseFrame(buffer.slice(0, cut))
            buffer = buffer.slice(cut + 2)
            if (event !== 'message' || data !== null) onEvent(event, data)
          }
        }
      } catch {
        // Dropped, refused or timed out: all the same to the page; it tries again below.
      } finally {
        clearTimeout(watchdog)
      }
      if (stopped()) return
      failures++
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.5 + Math.random() / 2)
      onState(
        'retry',
        `${navigator.onLine ? 'Offline' : 'No network'}, retrying in ${Math.ceil(delay / 1000)} s`,
      )
      await pause(delay)
    }
  })()
  // The network gone: a stream that looks open is dead (the phone may keep the socket for minutes), so
  // end it and say so; back on the network or on screen: try at once instead of waiting out the back-off.
  window.addEventListener('offline', () => {
    current?.abort()
    onState('retry', 'No network')
  })
  window.addEventListener('online', () => wake())
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake()
  })
  return { wake: () => wake() }
}

/** Builds an element: attrs with `text` for textContent, children appended in order. */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'text') node.textContent = v
    else node.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c)
  return node
}

/** Says `text` in the page's aria-live region (emptied first, so a repeat is said again). */
export function announce(region, text) {
  region.textContent = ''
  setTimeout(() => {
    region.textContent = text
  }, 50)
}
