// Who may reach each pickups route: ops everywhere; a courier its own round and events, the sites (to
// know where to go), and the requests it serves (its rounds, its sites, open ones on no round); a site
// token its own site, its own requests and cancelling them; household tokens nothing here; no token 401.
// A refused call changes nothing.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DAY, type PickupsFixture, pickupsFixture } from './support/pickups-api.js'

type Who = 'ops' | 'c1' | 'c2' | 's1' | 's2' | 'home' | 'bareCourier'
const EVERYONE: Who[] = ['ops', 'c1', 'c2', 's1', 's2', 'home', 'bareCourier']

interface Case {
  method: 'GET' | 'POST'
  url: string
  payload?: object
  allowed: Who[]
  /** Server-sent events: only refusals are checked through inject (an accepted stream never ends). */
  stream?: boolean
}

const cases: Case[] = [
  { method: 'GET', url: '/api/depots', allowed: ['ops'] },
  {
    method: 'POST',
    url: '/api/depots',
    payload: { id: 'depot-12', address: '2 bd Voltaire', lat: 48.86, lon: 2.37 },
    allowed: ['ops'],
  },
  { method: 'GET', url: '/api/couriers', allowed: ['ops'] },
  { method: 'POST', url: '/api/couriers', payload: { id: 'c9', depot: 'depot-11' }, allowed: ['ops'] },
  { method: 'GET', url: '/api/sites', allowed: ['ops'] },
  {
    method: 'POST',
    url: '/api/sites',
    payload: { id: 's9', address: '9 rue Oberkampf', lat: 48.865, lon: 2.372 },
    allowed: ['ops'],
  },
  { method: 'GET', url: '/api/sites/s1', allowed: ['ops', 'c1', 'c2', 's1'] },
  { method: 'GET', url: '/api/sites/s1/events', allowed: ['ops', 'c1', 'c2', 's1'], stream: true },
  { method: 'GET', url: `/api/couriers/c1/round?day=${DAY}`, allowed: ['ops', 'c1'] },
  { method: 'GET', url: '/api/couriers/c1/events', allowed: ['ops', 'c1'], stream: true },
  { method: 'GET', url: '/api/rounds', allowed: ['ops'] },
  { method: 'GET', url: '/api/pickups', allowed: ['ops'] },
  { method: 'GET', url: '/api/pickups/req-1', allowed: ['ops', 'c1', 's1'] },
  // Open and on no round: any courier may take it; the site s3 has no token here.
  { method: 'GET', url: '/api/pickups/req-3', allowed: ['ops', 'c1', 'c2'] },
  // Closed, on c2's round, at a site assigned to nobody: c2 only.
  { method: 'GET', url: '/api/pickups/req-4', allowed: ['ops', 'c2'] },
  // Closed on no round: ops only.
  { method: 'GET', url: '/api/pickups/req-5', allowed: ['ops'] },
  { method: 'GET', url: '/api/buttons', allowed: ['ops'] },
  { method: 'GET', url: '/api/webhooks/deliveries?pending=true', allowed: ['ops'] },
]

// Each action once per allowed token on a fresh fixture (the first one changes the request).
const actions: Case[] = [
  {
    method: 'POST',
    url: '/api/pickups/req-1/collected',
    payload: { note: 'two parcels' },
    allowed: ['ops', 'c1'],
  },
  {
    method: 'POST',
    url: '/api/pickups/req-1/not-found',
    payload: { reason: 'nothing in the box' },
    allowed: ['ops', 'c1'],
  },
  {
    method: 'POST',
    url: '/api/pickups/req-1/cancel',
    payload: { reason: 'posted by mistake' },
    allowed: ['ops', 's1'],
  },
  // Another courier's open stop is ops' call, not c1's; an open request on no round is anyone's.
  { method: 'POST', url: '/api/pickups/req-2/collected', payload: {}, allowed: ['ops', 'c2'] },
  { method: 'POST', url: '/api/pickups/req-3/collected', payload: {}, allowed: ['ops', 'c1', 'c2'] },
]

const t = suite<{ f: PickupsFixture }>('http: who reaches the pickups routes', {} as { f: PickupsFixture })
t.before.each(async (ctx) => {
  ctx.f = await pickupsFixture()
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

const counts = async (f: PickupsFixture) => ({
  depots: (await f.db.selectFrom('depots').select('id').execute()).length,
  couriers: (await f.db.selectFrom('couriers').select('id').execute()).length,
  sites: (await f.db.selectFrom('sites').select('id').execute()).length,
  pickups: await Promise.all(['req-1', 'req-2', 'req-3', 'req-4'].map((id) => f.snapshot(id))),
})

t('every pickups route is 401 without a token, with an unknown one and with a revoked one', async ({ f }) => {
  await f.db.updateTable('api_tokens').set({ revoked_at: 1 }).where('scope', '=', 'site').execute()
  const before = await counts(f)
  for (const c of [...cases, ...actions]) {
    for (const headers of [{}, f.auth('ro_not-a-token'), f.auth(f.tokens.s1)]) {
      const res = await f.app.inject({ method: c.method, url: c.url, payload: c.payload, headers })
      assert.is(res.statusCode, 401, `${c.method} ${c.url} ${JSON.stringify(headers)}`)
      assert.is(res.json().error, 'unauthorized')
    }
  }
  assert.equal(await counts(f), before)
  assert.is(f.calls.length, 0)
})

t(
  'each token reaches exactly the read routes it is given, and a refusal is a 403 naming what',
  async ({ f }) => {
    for (const c of cases) {
      for (const who of EVERYONE) {
        const allowed = c.allowed.includes(who)
        if (allowed && c.stream) continue
        const res = await f.app.inject({
          method: c.method,
          url: c.url,
          payload: c.payload,
          headers: f.auth(f.tokens[who]),
        })
        if (allowed) {
          assert.ok(
            [200, 201].includes(res.statusCode),
            `${who} ${c.method} ${c.url}: ${res.statusCode} ${res.body}`,
          )
        } else {
          assert.is(res.statusCode, 403, `${who} ${c.method} ${c.url}: ${res.statusCode} ${res.body}`)
          assert.is(res.json().error, 'forbidden')
          assert.match(res.json().message, /^this (token may not reach|route needs an ops token)/)
        }
      }
    }
  },
)

t('the messages say what was refused', async ({ f }) => {
  const msg = async (url: string, who: Who) =>
    (await f.app.inject({ url, headers: f.auth(f.tokens[who]) })).json().message
  assert.is(await msg(`/api/couriers/c1/round?day=${DAY}`, 'c2'), "this token may not reach courier 'c1'")
  assert.is(await msg('/api/sites/s1', 's2'), "this token may not reach site 's1'")
  assert.is(await msg('/api/pickups/req-1', 'c2'), "this token may not reach pickup 'req-1'")
  assert.is(await msg('/api/pickups', 'c1'), 'this route needs an ops token')
  assert.is(await msg('/api/sites/s1', 'home'), "this token may not reach site 's1'")
})

for (const a of actions) {
  t(`${a.method} ${a.url}: refused tokens change nothing; each allowed one gets through`, async () => {
    for (const who of EVERYONE.filter((w) => !a.allowed.includes(w))) {
      const f = await pickupsFixture()
      try {
        const before = await counts(f)
        const res = await f.app.inject({
          method: a.method,
          url: a.url,
          payload: a.payload,
          headers: f.auth(f.tokens[who]),
        })
        assert.is(res.statusCode, 403, `${who}: ${res.body}`)
        assert.equal(await counts(f), before)
        assert.is(f.calls.length, 0)
      } finally {
        await f.close()
      }
    }
    for (const who of a.allowed) {
      const f = await pickupsFixture()
      try {
        const res = await f.app.inject({
          method: a.method,
          url: a.url,
          payload: a.payload,
          headers: f.auth(f.tokens[who]),
        })
        assert.is(res.statusCode, 200, `${who}: ${res.body}`)
      } finally {
        await f.close()
      }
    }
  })
}

t('an unknown request is 404 for ops and the same 403 as another’s for anyone else', async ({ f }) => {
  const url = '/api/pickups/no-such-request'
  assert.is((await f.app.inject({ url, headers: f.auth(f.tokens.ops) })).statusCode, 404)
  for (const who of ['c1', 's1'] as const) {
    const res = await f.app.inject({ url, headers: f.auth(f.tokens[who]) })
    assert.is(res.statusCode, 403)
    assert.is(res.json().message, "this token may not reach pickup 'no-such-request'")
  }
})

t('a token is checked before the body: a refused caller with a bad body is 403, not 400', async ({ f }) => {
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/not-found',
    payload: { reason: 42 },
    headers: f.auth(f.tokens.c2),
  })
  assert.is(res.statusCode, 403)
})

t('household routes still answer household and ops tokens only', async ({ f }) => {
  const url = '/api/households/home/list'
  assert.is((await f.app.inject({ url, headers: f.auth(f.tokens.home) })).statusCode, 200)
  assert.is((await f.app.inject({ url, headers: f.auth(f.tokens.ops) })).statusCode, 200)
  for (const who of ['c1', 's1', 'bareCourier'] as const) {
    assert.is((await f.app.inject({ url, headers: f.auth(f.tokens[who]) })).statusCode, 403)
  }
})

t.run()
