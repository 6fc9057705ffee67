// The ops API without its parts (no broker, time series, config publisher or availability: an app built
// alone, as when those features failed to start): reads still answer from the registry, and what needs
// a missing part says 503 `unavailable` rather than pretending it was done.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { addAgent, revokeAgent } from '../src/domains/agents/agents.js'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const test = suite<{ f: HttpFixture }>('ops API without its parts', {} as { f: HttpFixture })

test.before(async (ctx) => {
  ctx.f = await httpFixture()
  await addAgent(ctx.f.db, { id: 'kitchen-pi', householdId: 'home' })
  await addAgent(ctx.f.db, { id: 'old-pi', householdId: 'home' })
  await revokeAgent(ctx.f.db, 'old-pi')
})
test.after(async (ctx) => ctx.f?.close())

const call = (ctx: { f: HttpFixture }, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  ctx.f.app.inject({ method, url, payload, headers: ctx.f.auth(ctx.f.tokens.ops) })

test('the fleet list and timeline read from the registry alone', async (ctx) => {
  const fleet = (await call(ctx, 'GET', '/api/fleet/agents')).json()
  assert.equal(fleet.counts, { online: 0, offline: 0, unknown: 1 })
  assert.equal(
    fleet.agents.map((a: { agent: string; state: string }) => [a.agent, a.state]),
    [['kitchen-pi', 'unknown']],
  )
  const timeline = (await call(ctx, 'GET', '/api/agents/kitchen-pi/timeline')).json()
  assert.equal(
    timeline.entries.map((e: { type: string }) => e.type),
    ['provisioned'],
  )
})

test('commands, health and config pushes answer 503 unavailable', async (ctx) => {
  for (const [method, url, body] of [
    ['POST', '/api/agents/kitchen-pi/cmd/identify', {}],
    ['GET', '/api/agents/kitchen-pi/health?field=rss_bytes'],
    ['PUT', '/api/agents/kitchen-pi/config', { config: { health: { intervalS: 30 } } }],
  ] as const) {
    const res = await call(ctx, method, url, body)
    assert.is(res.statusCode, 503, url)
    assert.is(res.json().error, 'unavailable')
  }
  assert.equal((await call(ctx, 'GET', '/api/agents/kitchen-pi/config')).json().revision, null)
})

test('a revoked agent gets no command and no config', async (ctx) => {
  for (const [method, url, body] of [
    ['POST', '/api/agents/old-pi/cmd/rebirth', {}],
    ['PUT', '/api/agents/old-pi/config', { config: {} }],
  ] as const) {
    const res = await call(ctx, method, url, body)
    assert.is(res.statusCode, 409, url)
    assert.is(res.json().error, 'agent_revoked')
  }
})

test.run()
