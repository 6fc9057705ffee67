// The alert API through inject(): ops tokens only, filters validated by their TypeBox schemas, answers
// serialised through them; acks by id with the caller recorded.
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type AckDeps, AlertEngine } from '../src/domains/alerts/alert-engine.js'
import type { AlertSettings } from '../src/domains/alerts/alert-settings.js'
import { alertKey, type Condition, type RuleName, SEVERITY } from '../src/domains/alerts/rules.js'
import type { AvailabilityReader } from '../src/domains/availability/availability-tracker.js'
import { FakeClock } from './support/fake-clock.js'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const clock = new FakeClock()
const settings = {
  repeatMs: 3_600_000,
  quietHours: null,
  timeZone: 'UTC',
} as unknown as AlertSettings
const availability: AvailabilityReader = {
  get: () => undefined,
  all: () => [],
  settings: { graceMs: 30_000, timeZone: 'UTC', silenceMs: { default: 900_000 } },
}
const cond = (rule: RuleName, subject: string): Condition => ({
  key: alertKey(rule, subject),
  rule,
  subject,
  device: null,
  severity: SEVERITY[rule],
  message: `${rule} ${subject}`,
  details: { n: 1 },
})

let fx: HttpFixture
let engine: AlertEngine
let acks: AckDeps
const silent = pino({ level: 'silent' })
const bus = { subscribe: async () => async () => {}, publish: async () => {} }

test.before(async () => {
  // The fixture's database first; then its app again, with an engine on that database.
  fx = await httpFixture({})
  acks = { db: fx.db, bus, log: silent }
  engine = new AlertEngine({ db: fx.db, bus, log: silent, settings })
  await fx.app.close()
  const { buildApp } = await import('../src/http/app.js')
  const { ListEvents } = await import('../src/domains/lists/list-events.js')
  fx.app = await buildApp({
    db: fx.db,
    log: silent,
    listEvents: new ListEvents(),
    alerts: { availability, clock, engine, acks },
  })
  const now = clock.now()
  await engine.reconcile([cond('offline', 'pi-1'), cond('battery_low', 'btn-1')], new Set(), now)
  await engine.reconcile(
    [cond('offline', 'pi-1'), cond('battery_low', 'btn-1')],
    new Set([alertKey('battery_low', 'btn-1')]),
    now + 1000,
  )
})
test.after(() => fx.close())

const get = (url: string, token = fx.tokens.ops) => fx.app.inject({ url, headers: fx.auth(token) })

test('ops only: 401 without a token, 403 for household and courier tokens', async () => {
  assert.is((await fx.app.inject({ url: '/api/alerts' })).statusCode, 401)
  assert.is((await get('/api/alerts', fx.tokens.home)).statusCode, 403)
  assert.is((await get('/api/alerts', fx.tokens.courier)).statusCode, 403)
  const ack = await fx.app.inject({
    method: 'POST',
    url: '/api/alerts/x/ack',
    headers: fx.auth(fx.tokens.home),
  })
  assert.is(ack.statusCode, 403)
})

test('unresolved by default; filters by state, rule, subject and severity', async () => {
  const open = (await get('/api/alerts')).json().alerts
  assert.equal(
    open.map((a: { key: string; state: string }) => [a.key, a.state]),
    [['offline:pi-1', 'open']],
  )
  const all = (await get('/api/alerts?state=all')).json().alerts
  assert.is(all.length, 2)
  assert.equal((await get('/api/alerts?state=cleared')).json().alerts[0].key, 'battery_low:btn-1')
  assert.is((await get('/api/alerts?state=all&rule=offline')).json().alerts.length, 1)
  assert.is((await get('/api/alerts?state=all&subject=btn-1')).json().alerts.length, 1)
  assert.is((await get('/api/alerts?state=all&severity=critical')).json().alerts.length, 1)
})

test('bad filters are refused with the field named', async () => {
  for (const q of ['state=maybe', 'rule=nope', 'limit=abc', 'since=-1', 'colour=red']) {
    const res = await get(`/api/alerts?${q}`)
    assert.is(res.statusCode, 400, q)
    assert.is(res.json().error, 'invalid_request', q)
  }
  assert.is((await get('/api/alerts?limit=0')).statusCode, 400)
})

test('ack: records who, stops repeats; 404 unknown; 409 once cleared', async () => {
  const [open] = (await get('/api/alerts')).json().alerts
  const res = await fx.app.inject({
    method: 'POST',
    url: `/api/alerts/${open.id}/ack`,
    headers: fx.auth(fx.tokens.ops),
  })
  assert.is(res.statusCode, 200)
  const alert = res.json().alert
  assert.equal([alert.state, alert.nextRepeatAt], ['acked', null])
  assert.match(alert.ackedBy, /^ops:/)
  const missing = await fx.app.inject({
    method: 'POST',
    url: '/api/alerts/nope/ack',
    headers: fx.auth(fx.tokens.ops),
  })
  assert.is(missing.statusCode, 404)
  const [cleared] = (await get('/api/alerts?state=cleared')).json().alerts
  const late = await fx.app.inject({
    method: 'POST',
    url: `/api/alerts/${cleared.id}/ack`,
    headers: fx.auth(fx.tokens.ops),
  })
  assert.equal([late.statusCode, late.json().error], [409, 'conflict'])
})

test('without the engine (a follower) the ack goes to the database', async () => {
  const { buildApp } = await import('../src/http/app.js')
  const { ListEvents } = await import('../src/domains/lists/list-events.js')
  await engine.reconcile([cond('offline', 'pi-2')], new Set(), clock.now())
  const [open] = (await get('/api/alerts?state=open')).json().alerts
  const follower = await buildApp({
    db: fx.db,
    log: silent,
    listEvents: new ListEvents(),
    alerts: { availability, clock, acks },
  })
  const res = await follower.inject({
    method: 'POST',
    url: `/api/alerts/${open.id}/ack`,
    headers: fx.auth(fx.tokens.ops),
  })
  assert.is(res.statusCode, 200)
  assert.is(res.json().alert.state, 'acked')
  await follower.close()
})

test.run()
