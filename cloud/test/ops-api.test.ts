// The ops page's API against a real cloud in process: agents of each kind on real MQTT connections,
// the fleet list with its filters and counts, commands that reach the agent as valid envelopes, config
// pushes that keep presence's allow-lists, health from the time series, the timeline, the fleet event
// stream, and that only ops tokens reach any of it.
import { topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { OpsAgent as OpsRow } from '../src/domains/fleet/ops-view.js'
import { createSite } from '../src/domains/sites/sites.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { type OpsAgent, provision, type Received } from './support/ops-agents.js'
import { KEY_A, member, until, zone } from './support/presence.js'

interface Ctx {
  tc: TestCloud
  ops: string
  scanner: OpsAgent
  button: OpsAgent
  reader: OpsAgent
}
const test = suite<Ctx>('ops API', {} as Ctx)

test.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_OFFLINE_GRACE_S: '0', RELAIS_ALERT_TICK_MS: '100' })
  const db = ctx.tc.cloud.db
  await ctx.tc.household('home')
  await createSite(db, { id: 'rue-9', address: '9 rue de la Paix', lat: 48.87, lon: 2.33 })
  await zone(db, 'door')
  ctx.ops = await createToken(db, { scope: 'ops', name: 'ops' })
  ctx.scanner = await provision(db, 'kitchen-pi', 'scanner', { householdId: 'home', tags: ['paris'] })
  ctx.button = await provision(db, 'letterbox-pi', 'button', { siteId: 'rue-9', tags: ['lyon'] })
  ctx.reader = await provision(db, 'door-pi', 'beacon', { zoneId: 'door', tags: ['paris'] })
  for (const a of [ctx.scanner, ctx.button, ctx.reader]) await a.connect(ctx.tc.cloud.mqttPort)
})
test.after(async (ctx) => {
  for (const a of [ctx.scanner, ctx.button, ctx.reader]) await a?.client?.endAsync(true).catch(() => {})
  await ctx.tc?.stop()
})

const auth = (token: string) => ({ authorization: `Bearer ${token}` })
function call(ctx: Ctx, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, token = ctx.ops) {
  return ctx.tc.cloud.app.inject({ method, url, payload, headers: auth(token) })
}
const revisionOf = (r: Received) => (r.message?.data as { revision?: number } | undefined)?.revision ?? -1
type Fleet = { counts: Record<string, number>; agents: OpsRow[] }

test('only ops tokens reach the new routes', async (ctx) => {
  const db = ctx.tc.cloud.db
  const others = [
    await createToken(db, { scope: 'household', householdId: 'home', name: 'h' }),
    await createToken(db, { scope: 'courier', name: 'c' }),
    await createToken(db, { scope: 'site', siteId: 'rue-9', name: 's' }),
    await createToken(db, { scope: 'zone', zoneId: 'door', name: 'z' }),
    await createToken(db, { scope: 'member', name: 'm' }),
  ]
  const routes: Array<['GET' | 'POST' | 'PUT', string, object?]> = [
    ['GET', '/api/fleet/agents'],
    ['GET', '/api/agents/kitchen-pi/timeline'],
    ['GET', '/api/agents/kitchen-pi/health?field=rss_bytes'],
    ['POST', '/api/agents/kitchen-pi/cmd/identify', {}],
    ['GET', '/api/agents/kitchen-pi/config'],
    ['PUT', '/api/agents/kitchen-pi/config', { config: { health: { intervalS: 30 } } }],
    ['GET', '/api/fleet/events'],
  ]
  for (const [method, url, body] of routes) {
    const none = await ctx.tc.cloud.app.inject({ method, url, payload: body })
    assert.is(none.statusCode, 401, `${method} ${url} without a token`)
    for (const t of others) {
      const res = await call(ctx, method, url, body, t)
      assert.is(res.statusCode, 403, `${method} ${url} with ${t.slice(0, 3)}`)
      assert.is(res.json().error, 'forbidden')
    }
  }
})

test('the fleet list: kinds, placements, tags, states, devices, filters and counts', async (ctx) => {
  await ctx.button.deviceStatus('detached', 'button unplugged')
  await ctx.scanner.health({
    rss_bytes: 50_000_000,
    event_loop_lag_ms: 3,
    outbox_depth: 4,
    outbox_dropped: 1,
  })
  const fleet = await until(async () => {
    const f = (await call(ctx, 'GET', '/api/fleet/agents')).json() as Fleet
    const b = f.agents.find((a) => a.agent === 'letterbox-pi')
    const s = f.agents.find((a) => a.agent === 'kitchen-pi')
    return f.counts.online === 3 && b?.devices[0]?.state === 'detached' && s?.pending === 4 ? f : undefined
  })
  const k = fleet.agents.find((a) => a.agent === 'kitchen-pi')!
  assert.equal(k.kinds, ['scanner'])
  assert.is(k.householdId, 'home')
  assert.equal(k.tags, ['paris'])
  assert.is(k.state, 'online')
  assert.is(k.firmwareVersion, '1.4.2')
  assert.is(k.dropped, 1)
  assert.is(k.health?.fields.event_loop_lag_ms, 3)
  assert.is(k.openAlerts, 0)
  const b = fleet.agents.find((a) => a.agent === 'letterbox-pi')!
  assert.is(b.siteId, 'rue-9')
  assert.equal(b.devices, [{ id: 'button', kind: 'button', state: 'detached', detail: 'button unplugged' }])

  const ids = async (q: string) =>
    ((await call(ctx, 'GET', `/api/fleet/agents?${q}`)).json() as Fleet).agents.map((a) => a.agent)
  assert.equal(await ids('kind=beacon'), ['door-pi'])
  assert.equal(await ids('tag=paris'), ['door-pi', 'kitchen-pi'])
  assert.equal(await ids('zone=door'), ['door-pi'])
  assert.equal(await ids('site=rue-9'), ['letterbox-pi'])
  assert.equal(await ids('state=offline'), [])
  const bad = await call(ctx, 'GET', '/api/fleet/agents?state=asleep')
  assert.is(bad.statusCode, 400)
  assert.is(bad.json().error, 'invalid_request')
})

test('identify and rebirth reach the agent as valid commands', async (ctx) => {
  const res = await call(ctx, 'POST', '/api/agents/kitchen-pi/cmd/identify', {})
  assert.is(res.statusCode, 202)
  assert.is(res.json().online, true)
  const got = await ctx.scanner.waitFor(topics.cmd('kitchen-pi', 'identify'))
  assert.ok(got.ok, 'the contract accepts it')
  assert.is(got.message!.id, res.json().id)
  assert.is(got.message!.type, 'identify')

  const dev = await call(ctx, 'POST', '/api/agents/door-pi/cmd/identify', { device: 'ble-0' })
  assert.is(dev.statusCode, 202)
  assert.ok((await ctx.reader.waitFor(topics.cmd('door-pi', 'identify', 'ble-0'))).ok)

  assert.is((await call(ctx, 'POST', '/api/agents/letterbox-pi/cmd/rebirth', {})).statusCode, 202)
  assert.ok((await ctx.button.waitFor(topics.cmd('letterbox-pi', 'rebirth'))).ok)

  assert.is((await call(ctx, 'POST', '/api/agents/nobody/cmd/identify', {})).statusCode, 404)
  const reserved = await call(ctx, 'POST', '/api/agents/kitchen-pi/cmd/identify', { device: 'config' })
  assert.is(reserved.statusCode, 400)
  const odd = await call(ctx, 'POST', '/api/agents/kitchen-pi/cmd/reboot', {})
  assert.is(odd.statusCode, 400)
  assert.is(odd.json().error, 'invalid_request')
})

test('an ops config push keeps the allow-list, and a consent change keeps the push', async (ctx) => {
  const topic = topics.config('door-pi')
  await member(ctx.tc.cloud.db, KEY_A, 'door')
  await ctx.tc.cloud.allowLists!.refresh()
  const first = await ctx.reader.waitFor(topic, (r) => JSON.stringify(r.message?.data).includes(KEY_A))
  const before = (first.message!.data as { revision: number }).revision

  const res = await call(ctx, 'PUT', '/api/agents/door-pi/config', { config: { health: { intervalS: 15 } } })
  assert.is(res.statusCode, 200)
  const body = res.json()
  assert.ok(body.revision > before, 'the revision grows from the same row')
  assert.equal(body.config, { health: { intervalS: 15 } })
  assert.equal(body.beaconReaders, ['ble-0'])
  const pushed = await ctx.reader.waitFor(topic, (r) => revisionOf(r) === body.revision)
  assert.ok(pushed.ok)
  const data = pushed.message!.data as { health: unknown; beacons: Record<string, { allow: string[] }> }
  assert.equal(data.health, { intervalS: 15 })
  assert.ok(data.beacons['ble-0']!.allow.includes(KEY_A), 'the beacons section survived')

  // Presence's next change (a second member) keeps the ops section.
  await member(ctx.tc.cloud.db, `ibeacon:${'e'.repeat(32)}:1:9`, 'door')
  await ctx.tc.cloud.allowLists!.refresh()
  const after = await ctx.reader.waitFor(topic, (r) => revisionOf(r) > body.revision)
  assert.equal((after.message!.data as { health: unknown }).health, { intervalS: 15 })

  for (const key of ['beacons', 'revision']) {
    const refused = await call(ctx, 'PUT', '/api/agents/door-pi/config', { config: { [key]: {} } })
    assert.is(refused.statusCode, 400)
    assert.is(refused.json().error, 'config_section_reserved')
  }
  assert.is((await call(ctx, 'GET', '/api/agents/door-pi/config')).json().config.health.intervalS, 15)
})

test('an agent without readers gets its ops config again after the publisher restarts', async (ctx) => {
  const topic = topics.config('kitchen-pi')
  const res = await call(ctx, 'PUT', '/api/agents/kitchen-pi/config', {
    config: { scanners: { 'scanner-1': { debounceMs: 800 } } },
  })
  assert.is(res.statusCode, 200)
  const revision = res.json().revision as number
  assert.equal(res.json().beaconReaders, [])
  await ctx.scanner.waitFor(topic, (r) => revisionOf(r) === revision)
  const seen = ctx.scanner.received.filter((r) => r.topic === topic).length
  await ctx.tc.cloud.allowLists!.stop()
  await ctx.tc.cloud.allowLists!.start()
  await until(async () =>
    ctx.scanner.received.filter((r) => r.topic === topic).length > seen ? true : undefined,
  )
  const again = ctx.scanner.received.filter((r) => r.topic === topic).at(-1)!
  assert.is(revisionOf(again), revision, 'the same config, not a new revision')
})

test('health over time comes from the time series', async (ctx) => {
  for (const rss of [60_000_000, 62_000_000])
    await ctx.button.health({ rss_bytes: rss, event_loop_lag_ms: 2 })
  const series = await until(async () => {
    const r = (
      await call(ctx, 'GET', '/api/agents/letterbox-pi/health?field=rss_bytes,event_loop_lag_ms')
    ).json()
    return r.points?.length > 0 ? r : undefined
  })
  assert.equal(series.fields, ['rss_bytes', 'event_loop_lag_ms'])
  const rss = series.points.map((p: { values: { rss_bytes: number } }) => p.values.rss_bytes)
  assert.ok(rss.every((v: number) => v >= 60_000_000 && v <= 62_000_000))
  const bad = await call(ctx, 'GET', '/api/agents/letterbox-pi/health?field=RSS')
  assert.is(bad.statusCode, 400)
})

test('an agent cut off goes offline on the stream, and its timeline says so', async (ctx) => {
  const res = await fetch(`http://127.0.0.1:${ctx.tc.cloud.httpPort}/api/fleet/events`, {
    headers: auth(ctx.ops),
  })
  assert.is(res.status, 200)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  ctx.scanner.cut()
  let text = ''
  while (!text.includes('"agent":"kitchen-pi"')) text += (await reader.read()).value ?? ''
  await reader.cancel()
  const k = await until(async () => {
    const f = (await call(ctx, 'GET', '/api/fleet/agents?state=offline')).json() as Fleet
    return f.agents.find((a) => a.agent === 'kitchen-pi')
  })
  assert.is(k.state, 'offline')
  // The link log's points are written in the background: wait for the disconnect to be there.
  const timeline = await until(async () => {
    const r = (await call(ctx, 'GET', '/api/agents/kitchen-pi/timeline')).json()
    return r.entries.some((e: { type: string }) => e.type === 'disconnect') ? r : undefined
  })
  const types = timeline.entries.map((e: { type: string }) => e.type)
  for (const t of ['offline', 'connect', 'disconnect', 'birth', 'provisioned'])
    assert.ok(types.includes(t), t)
  const cut = timeline.entries.find((e: { type: string }) => e.type === 'disconnect')
  assert.match(cut.text, 'disconnected: socket_error')
  const texts = timeline.entries.map((e: { text: string }) => e.text).join('\n')
  assert.match(texts, /identify sent by ops:/)
  assert.match(texts, /config revision \d+ pushed by ops:/)
  assert.is(types.filter((x: string) => x === 'config').length, 1, 'one entry for the one push')
  assert.is((await call(ctx, 'GET', '/api/agents/nobody/timeline')).statusCode, 404)
})

test.run()
