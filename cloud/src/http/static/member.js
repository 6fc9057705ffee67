// A member's own page: what Relais holds about them (consents, beacons, visits, the consent history),
// with Revoke per consent, a JSON download of all of it and Erase. Plain ES module; the token comes from
// the URL fragment (live.js). A member token reaches only its own member's data.

const live = await import(document.getElementById('mod-live').href)
const { apiClient, el, forgetToken, isAuthError, takeToken } = live

const member = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const storeKey = `relais.member.${member}`
const base = `/api/members/${encodeURIComponent(member)}`
const $ = (id) => document.getElementById(id)
const token = takeToken(storeKey)
const api = apiClient(token, (err) =>
  authFailed(err.status === 403 ? 'This link is for someone else.' : err.message),
)
const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const at = (ms) => when.format(new Date(ms))

function authFailed(reason) {
  forgetToken(storeKey)
  $('app').hidden = true
  $('auth-reason').textContent = reason
  $('auth').hidden = false
}

function showError(what, err) {
  $('status-text').textContent = `${what}: ${err.message}`
  $('status').hidden = false
}

function consentItem(c) {
  const live = c.revokedAt === null && (c.expiresAt === null || c.expiresAt > Date.now())
  const words = live
    ? `given ${at(c.grantedAt)}${c.expiresAt ? `, until ${at(c.expiresAt)}` : ''}`
    : c.revokedAt !== null
      ? `withdrawn ${at(c.revokedAt)}`
      : `expired ${at(c.expiresAt)}`
  const revoke = live ? el('button', { type: 'button', class: 'secondary', text: 'Withdraw' }) : null
  revoke?.addEventListener('click', async () => {
    revoke.disabled = true
    try {
      await api('DELETE', `${base}/consents/${encodeURIComponent(c.id)}`)
    } catch (err) {
      if (!isAuthError(err)) showError('Could not withdraw the consent', err)
    }
    load()
  })
  return el('li', { class: 'request', 'data-consent': c.id }, [
    el('h3', { text: `${c.purpose} in ${c.zone}` }),
    el('p', { class: 'detail', text: words }),
    revoke,
  ])
}

function render(d) {
  $('subtitle').textContent = `Your pseudonym: ${d.member.id}`
  $('consents').replaceChildren(...d.consents.map(consentItem))
  $('consents-empty').hidden = d.consents.some((c) => c.revokedAt === null)
  $('beacons').replaceChildren(...d.beacons.map((b) => el('li', { text: b.key })))
  $('sessions').replaceChildren(
    ...d.sessions.map((s) =>
      el('li', {
        text: `${s.zone}: ${at(s.enteredAt)}${s.leftAt === null ? ' (now)' : ` to ${at(s.leftAt)}`}`,
      }),
    ),
  )
  $('sessions-empty').hidden = d.sessions.length > 0
  $('audit').replaceChildren(
    ...d.audit.map((a) =>
      el('li', { text: `${at(a.at)}: ${a.action}${a.zone ? ` (${a.zone})` : ''} by ${a.by}` }),
    ),
  )
}

async function load() {
  try {
    render(await api('GET', base))
  } catch (err) {
    if (!isAuthError(err)) showError('Could not load your data', err)
  }
}

$('export').addEventListener('click', async () => {
  try {
    const data = await api('GET', `${base}/export`)
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
    const a = el('a', { href: url, download: `relais-${member}.json` })
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  } catch (err) {
    if (!isAuthError(err)) showError('Could not export your data', err)
  }
})

$('erase').addEventListener('click', async () => {
  if (!confirm('Erase your beacons, consents and visits? This cannot be undone.')) return
  try {
    await api('DELETE', base)
    forgetToken(storeKey)
    $('app').hidden = true
    $('erased').hidden = false
  } catch (err) {
    if (!isAuthError(err)) showError('Could not erase your data', err)
  }
})

if (!token) authFailed('This page was opened without its key.')
else load()
