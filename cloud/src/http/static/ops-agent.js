// One agent's page: what it is and how it is, identify and rebirth, its open alerts (acknowledge), its
// health charts, its timeline, and its desired config as JSON to edit and push. `api` is live.js's
// client; every read goes through load(), so a live event re-reads the page in one place.
const live = await import(document.getElementById('mod-live').href)
const text = await import(document.getElementById('mod-text').href)
const chart = await import(document.getElementById('mod-chart').href)
const { el, isAuthError } = live
const { CHARTS, STATE_WORDS, placement, stateDetail, when } = text

const $ = (id) => document.getElementById(id)
const path = (agent, rest) => `/api/agents/${encodeURIComponent(agent)}${rest}`

export function agentPage(api, showError) {
  let agent = null
  let configLoaded = null

  async function summary() {
    const view = await api('GET', `/api/fleet/agents`)
    const a = view.agents.find((x) => x.agent === agent)
    if (a === undefined) throw new Error(`agent ${agent} is not in the fleet`)
    $('agent-heading').textContent = `${a.agent} (${a.kinds.join(', ') || '?'})`
    $('agent-summary').dataset.state = a.state
    $('agent-summary').textContent =
      `${STATE_WORDS[a.state]} · ${stateDetail(a)} · ${placement(a)} · version ${a.firmwareVersion ?? '?'}`
    $('agent-devices').replaceChildren(
      ...a.devices.map((d) =>
        el('li', { class: 'dev', 'data-device': d.id, 'data-state': d.state }, [
          `${d.id} (${d.kind ?? '?'}): ${d.state}${d.detail ? `, ${d.detail}` : ''}`,
          el('button', { type: 'button', class: 'secondary', 'data-identify': d.id, text: 'Identify' }),
        ]),
      ),
    )
  }

  async function alerts() {
    const { alerts } = await api('GET', `/api/alerts?subject=${encodeURIComponent(agent)}`)
    $('alerts').replaceChildren(
      ...alerts.map((al) =>
        el('li', { 'data-alert': al.id, 'data-state': al.state }, [
          el('strong', { text: `${al.severity}: ${al.message}` }),
          el('span', { class: 'small', text: `raised ${when(al.raisedAt)} · ${al.state}` }),
          al.state === 'open'
            ? el('button', { type: 'button', class: 'secondary', 'data-ack': al.id, text: 'Acknowledge' })
            : null,
        ]),
      ),
    )
    $('no-alerts').hidden = alerts.length > 0
  }

  async function charts() {
    const hours = Number($('range').value)
    const since = Date.now() - hours * 3_600_000
    const fields = CHARTS.map((c) => c.field).join(',')
    const h = await api('GET', path(agent, `/health?field=${fields}&since=${since}`))
    $('charts').replaceChildren(
      ...CHARTS.map((c) =>
        chart.lineChart({
          title: c.title,
          format: c.format,
          range: h,
          points: h.points
            .filter((p) => p.values[c.field] !== null)
            .map((p) => ({ ts: p.ts, value: p.values[c.field] })),
        }),
      ),
    )
  }

  async function timeline() {
    const { entries } = await api('GET', path(agent, '/timeline'))
    $('timeline').replaceChildren(
      ...entries.map((e) => el('li', { 'data-type': e.type }, [el('time', { text: when(e.at) }), e.text])),
    )
  }

  async function config(force) {
    const c = await api('GET', path(agent, '/config'))
    // Never overwrite what someone is typing, unless they just pushed or opened the page.
    if (force || configLoaded === null || $('config').value === configLoaded) {
      $('config').value = configLoaded = JSON.stringify(c.config, null, 2)
    }
    const readers =
      c.beaconReaders.length > 0 ? ` Allow-lists of ${c.beaconReaders.join(', ')} are kept by presence.` : ''
    $('config-note').textContent = `Revision ${c.revision ?? 'none yet'}.${readers}`
  }

  // Health arrives every few seconds and each can be a live event: the charts (the costly read, and a
  // line that moves by one bucket at most) are drawn again at most every 30 s unless asked.
  let chartsAt = 0
  function chartsIfDue(force) {
    if (!force && Date.now() - chartsAt < 30_000) return Promise.resolve()
    chartsAt = Date.now()
    return charts()
  }

  async function load(force = false) {
    if (agent === null) return
    const parts = [summary(), alerts(), chartsIfDue(force), timeline(), config(force)]
    const results = await Promise.allSettled(parts)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed && !isAuthError(failed.reason)) showError(`Could not load ${agent}: ${failed.reason.message}`)
  }

  // Live events: one load at a time, a second apart at most, however many events come.
  let wanted = false
  let running = null
  function refresh() {
    wanted = true
    running ??= (async () => {
      let first = true
      while (wanted && agent !== null) {
        if (!first) await new Promise((resolve) => setTimeout(resolve, 1000))
        first = false
        wanted = false
        await load()
      }
    })().finally(() => {
      running = null
    })
    return running
  }

  async function command(name, device) {
    $('cmd-result').textContent = `Sending ${name}…`
    try {
      const r = await api('POST', path(agent, `/cmd/${name}`), device ? { device } : {})
      $('cmd-result').textContent = r.online
        ? `${name} sent to ${agent}${device ? ` (${device})` : ''}.`
        : `${name} sent, but ${agent} is not online: it will not see it.`
    } catch (err) {
      $('cmd-result').textContent = `${name} failed: ${err.message}`
    }
  }

  async function push() {
    let sections
    try {
      sections = JSON.parse($('config').value || '{}')
    } catch (err) {
      $('config-result').textContent = `Not valid JSON: ${err.message}`
      return
    }
    try {
      const r = await api('PUT', path(agent, '/config'), { config: sections })
      $('config-result').textContent = `Pushed revision ${r.revision}.`
      await load(true)
    } catch (err) {
      $('config-result').textContent = `Not pushed: ${err.message}`
    }
  }

  $('identify').addEventListener('click', () => command('identify'))
  $('rebirth').addEventListener('click', () => command('rebirth'))
  $('push').addEventListener('click', () => push())
  $('range').addEventListener('change', () => charts().catch((err) => showError(err.message)))
  $('agent-devices').addEventListener('click', (e) => {
    const device = e.target.closest('[data-identify]')?.dataset.identify
    if (device) command('identify', device)
  })
  $('alerts').addEventListener('click', async (e) => {
    const id = e.target.closest('[data-ack]')?.dataset.ack
    if (!id) return
    try {
      await api('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, {})
      await load()
    } catch (err) {
      showError(`Not acknowledged: ${err.message}`)
    }
  })

  return {
    get agent() {
      return agent
    },
    open(id) {
      agent = id
      configLoaded = null
      $('config-result').textContent = ''
      $('cmd-result').textContent = ''
      return load(true)
    },
    close() {
      agent = null
    },
    refresh,
  }
}
