// The fleet registry API through inject(): ops tokens only, every body validated, answers shaped by their
// schemas (no hash, secrets only where issued), the config file for the agent's kind, tags, rotate and
// revoke, live state merged from AgentState.
import { makeEnvelope, topics } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { AgentState } from '../src/domains/fleet/agent-state.js'
import { FleetEvents } from '../src/domains/fleet/fleet-events.js'
import { createSite } from '../src/domains/sites/sites.js'
import { verifySecret } from '../src/lib/secrets.js'
import { type HttpFixture, httpFixture } from './support/http-app.js'

const t = suite<{ f: HttpFixture; state: AgentState; changed: number }>('fleet registry API')

t.before(async (ctx) => {
  ctx.changed = 0
  // The app reads agent state through this; the state itself needs the fixture's database.
  const reader = { state: undefined as AgentState | undefined, get: (a: string) => reader.state?.get(a) }
  const events = new FleetEvents()
  ctx.f = await httpFixture({
    fleet: { agents: reader, events },
    registry: {
      credentialsChanged: async () => {
        ctx.changed++
      },
      agentBrokerUrl: 'mqtt://cloud.example:1883',
    },
  })
  const bus = { subscribe: async () => async () => {}, publish: async () => {} }
  ctx.state = new AgentState({ bus, db: ctx.f.db, log: pino({ level: 'silent' }), events })
  reader.state = ctx.state
})
t.after(async (ctx) => ctx.f.close())

const call = (
  f: HttpFixture,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  token: string,
  payload?: Record<string, unknown>,
) => f.app.inject({ method, url, headers: f.auth(token), ...(payload === undefined ? {} : { payload }) })

t('only ops tokens reach the registry', async ({ f }) => {
  assert.is((await f.app.inject({ method: 'GET', url: '/api/agents' })).statusCode, 401)
  for (const token of [f.tokens.home, f.tokens.courier]) {
    assert.is((await call(f, 'GET', '/api/agents', token)).statusCode, 403)
    assert.is((await call(f, 'POST', '/api/agents', token, { id: 'x', household: 'home' })).statusCode, 403)
    assert.is((await call(f, 'POST', '/api/agents/x/rotate', token)).statusCode, 403)
  }
})

t(
  'POST /api/agents provisions: the secret once, a config file for its kind, no hash anywhere',
  async ({ f }) => {
    const r = await call(f, 'POST', '/api/agents', f.tokens.ops, {
      id: 'kitchen',
      household: 'home',
      tags: ['paris'],
    })
    assert.is(r.statusCode, 201, r.body)
    const body = r.json() as {
      agent: { agent: string; kind: string; tags: string[]; online: boolean }
      secret: string
      config: { broker: { url: string; secret: string }; scanners: unknown[] }
    }
    assert.is(body.agent.kind, 'scanner')
    assert.equal(body.agent.tags, ['paris'])
    assert.is(body.agent.online, false)
    assert.is(body.config.broker.url, 'mqtt://cloud.example:1883')
    assert.is(body.config.broker.secret, body.secret)
    assert.is(body.config.scanners.length, 1)
    assert.not.ok(r.body.includes('scrypt'))
    const row = await f.db
      .selectFrom('agents')
      .select('secret_hash')
      .where('id', '=', 'kitchen')
      .executeTakeFirstOrThrow()
    assert.ok(await verifySecret(body.secret, row.secret_hash))

    const got = await call(f, 'GET', '/api/agents/kitchen', f.tokens.ops)
    assert.is(got.statusCode, 200)
    assert.not.ok(got.body.includes(body.secret), 'reading never shows the secret')
    assert.not.ok(got.body.includes('scrypt'))
  },
)

t('bad bodies, unknown placements and taken ids change nothing', async ({ f }) => {
  const bad: Array<[Record<string, unknown>, number, string]> = [
    [{ id: 'Bad Id', household: 'home' }, 400, 'invalid_request'],
    [{ id: 'a1', household: 'home', colour: 'red' }, 400, 'invalid_request'],
    [{ id: 'a1', household: 'home', site: 'x' }, 400, 'invalid_request'],
    [{ id: 'a1', household: 'home', kind: 'button' }, 400, 'invalid_request'],
    [{ id: 'a1', household: 'nowhere' }, 404, 'not_found'],
    [{ id: 'a1', household: 'home', brokerUrl: 'http://x' }, 400, 'invalid_request'],
    [{ id: 'kitchen', household: 'home' }, 409, 'conflict'],
  ]
  for (const [payload, status, code] of bad) {
    const r = await call(f, 'POST', '/api/agents', f.tokens.ops, payload)
    assert.is(r.statusCode, status, JSON.stringify(payload))
    assert.is((r.json() as { error: string }).error, code)
  }
  const none = await f.db.selectFrom('agents').select('id').where('id', '=', 'a1').executeTakeFirst()
  assert.is(none, undefined)
  assert.is((await call(f, 'GET', '/api/agents/ghost', f.tokens.ops)).statusCode, 404)
  assert.is((await call(f, 'GET', '/api/agents/Not_An_Id', f.tokens.ops)).statusCode, 400)
})

t('a button at a site gets its button config; a beacon reader in a zone its reader', async ({ f }) => {
  await createSite(f.db, {
    id: 'rivoli-12',
    name: 'Rivoli 12',
    address: '12 rue de Rivoli',
    lat: 48.86,
    lon: 2.35,
  })
  const button = await call(f, 'POST', '/api/agents', f.tokens.ops, { id: 'box-12', site: 'rivoli-12' })
  assert.is(button.statusCode, 201, button.body)
  const b = button.json() as { agent: { kind: string; siteId: string }; config: { buttons: unknown[] } }
  assert.is(b.agent.kind, 'button')
  assert.is(b.config.buttons.length, 1)
  const beacon = await call(f, 'POST', '/api/agents', f.tokens.ops, { id: 'door-1', zone: 'front' })
  assert.is(beacon.statusCode, 201)
  const reader = beacon.json() as {
    agent: { kind: string; zoneId: string }
    config: { beacons: Array<{ id: string }> }
  }
  assert.equal([reader.agent.kind, reader.agent.zoneId], ['beacon', 'front'])
  assert.equal(
    reader.config.beacons.map((x) => x.id),
    ['ble-0'],
  )
})

t('the list filters by tag and kind and merges live state and births', async ({ f, state }) => {
  const birth = makeEnvelope({
    agent: 'kitchen',
    type: 'info',
    session: 's1',
    seq: 0,
    data: { version: '1.4.2', configHash: 'abc123', devices: [{ id: 'scanner-1', kind: 'scanner' }] },
  })
  state.receive(topics.info('kitchen'), Buffer.from(JSON.stringify(birth)))
  const online = makeEnvelope({
    agent: 'kitchen',
    type: 'status',
    session: 's1',
    seq: 1,
    data: { state: 'online' },
  })
  state.receive(topics.status('kitchen'), Buffer.from(JSON.stringify(online)))
  const r = await call(f, 'GET', '/api/agents?tag=paris', f.tokens.ops)
  const list = (r.json() as { agents: Array<{ agent: string; online: boolean; firmwareVersion: string }> })
    .agents
  assert.equal(
    list.map((a) => a.agent),
    ['kitchen'],
  )
  assert.is(list[0]!.online, true)
  assert.is(list[0]!.firmwareVersion, '1.4.2')
  const buttons = await call(f, 'GET', '/api/agents?kind=button', f.tokens.ops)
  assert.equal(
    (buttons.json() as { agents: Array<{ agent: string }> }).agents.map((a) => a.agent),
    ['box-12'],
  )
  assert.is((await call(f, 'GET', '/api/agents?kind=toaster', f.tokens.ops)).statusCode, 400)
  // The birth is kept for when the agent is offline.
  await state.birthsRecorded()
  const row = await f.db
    .selectFrom('agents')
    .selectAll()
    .where('id', '=', 'kitchen')
    .executeTakeFirstOrThrow()
  assert.is(row.firmware_version, '1.4.2')
  assert.is(row.config_hash, 'abc123')
})

t('tags, rotate and revoke; the broker is told of each credentials change', async (ctx) => {
  const { f } = ctx
  const tags = await call(f, 'POST', '/api/agents/kitchen/tags', f.tokens.ops, {
    add: ['b', 'a'],
    remove: ['paris'],
  })
  assert.equal((tags.json() as { tags: string[] }).tags, ['a', 'b'])
  assert.is((await call(f, 'POST', '/api/agents/kitchen/tags', f.tokens.ops, {})).statusCode, 400)
  const before = ctx.changed
  const rotated = await call(f, 'POST', '/api/agents/kitchen/rotate', f.tokens.ops)
  assert.is(rotated.statusCode, 200)
  assert.is(ctx.changed, before + 1)
  const revoked = await call(f, 'DELETE', '/api/agents/kitchen', f.tokens.ops)
  assert.is(revoked.statusCode, 200)
  assert.is((revoked.json() as { revoked: boolean }).revoked, true)
  assert.is(ctx.changed, before + 2)
  const again = await call(f, 'POST', '/api/agents/kitchen/rotate', f.tokens.ops)
  assert.is(again.statusCode, 409)
  assert.is((again.json() as { error: string }).error, 'agent_revoked')
  const list = await call(f, 'GET', '/api/agents', f.tokens.ops)
  assert.not.ok(
    (list.json() as { agents: Array<{ agent: string }> }).agents.some((a) => a.agent === 'kitchen'),
  )
  const all = await call(f, 'GET', '/api/agents?revoked=true', f.tokens.ops)
  assert.ok((all.json() as { agents: Array<{ agent: string }> }).agents.some((a) => a.agent === 'kitchen'))
})

t.run()
