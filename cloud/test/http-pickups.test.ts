// The pickups routes' behaviour with ops, courier and site tokens: lists and creation with the CLI's
// validation, a site's page data with its buttons, rounds, the request list and its filters, the
// courier's and customer's actions with who did them, the buttons and the webhook queue. Bad input is a
// 400 naming the field and changes nothing.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { AgentStateReader } from '../src/domains/fleet/agent-snapshot.js'
import { emptySnapshot } from '../src/domains/fleet/agent-snapshot.js'
import { DAY, type PickupsFixture, pickupsFixture } from './support/pickups-api.js'

const t = suite<{ f: PickupsFixture }>('http: pickups routes', {} as { f: PickupsFixture })
t.before.each(async (ctx) => {
  ctx.f = await pickupsFixture()
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

const as = (f: PickupsFixture, who: keyof PickupsFixture['tokens']) => f.auth(f.tokens[who])

t(
  'depots: created with the domain validation, listed, a duplicate is 409 and bad input 400',
  async ({ f }) => {
    const h = as(f, 'ops')
    const made = await f.app.inject({
      method: 'POST',
      url: '/api/depots',
      headers: h,
      payload: { id: 'depot-12', name: ' Voltaire ', address: '2 bd Voltaire', lat: 48.86, lon: 2.37 },
    })
    assert.is(made.statusCode, 201)
    assert.equal(made.json(), {
      id: 'depot-12',
      name: 'Voltaire',
      address: '2 bd Voltaire',
      lat: 48.86,
      lon: 2.37,
    })
    const again = await f.app.inject({
      method: 'POST',
      url: '/api/depots',
      headers: h,
      payload: { id: 'depot-12', address: 'x', lat: 1, lon: 1 },
    })
    assert.is(again.statusCode, 409)
    for (const [payload, field] of [
      [{ id: 'depot-13', address: 'x', lat: 91, lon: 1 }, 'body.lat'],
      [{ id: 'Depot 13', address: 'x', lat: 1, lon: 1 }, 'body.id'],
      [{ id: 'depot-13', address: '   ', lat: 1, lon: 1 }, 'body.address'],
      [{ id: 'depot-13', address: 'x', lat: '1', lon: 1 }, 'body.lat'],
      [{ id: 'depot-13', address: 'x', lat: 1, lon: 1, colour: 'red' }, 'body.colour'],
    ] as const) {
      const res = await f.app.inject({ method: 'POST', url: '/api/depots', headers: h, payload })
      assert.is(res.statusCode, 400, JSON.stringify(payload))
      assert.is(res.json().field, field)
    }
    const list = await f.app.inject({ url: '/api/depots', headers: h })
    assert.equal(
      list.json().depots.map((d: { id: string }) => d.id),
      ['depot-11', 'depot-12'],
    )
  },
)

t(
  'couriers: created with defaults or given settings; an unknown depot is 404, a bad shift 400',
  async ({ f }) => {
    const h = as(f, 'ops')
    const made = await f.app.inject({
      method: 'POST',
      url: '/api/couriers',
      headers: h,
      payload: {
        id: 'c3',
        depot: 'depot-11',
        name: 'Ana',
        phone: '+33 6 00',
        shift: '07:30-15:00',
        speedKmh: 18,
        windowMin: 30,
      },
    })
    assert.is(made.statusCode, 201, made.body)
    assert.equal(made.json(), {
      id: 'c3',
      name: 'Ana',
      depotId: 'depot-11',
      phone: '+33 6 00',
      shiftStart: '07:30',
      shiftEnd: '15:00',
      speedKmh: 18,
      serviceS: 180,
      windowMin: 30,
      retired: false,
    })
    const unknown = await f.app.inject({
      method: 'POST',
      url: '/api/couriers',
      headers: h,
      payload: { id: 'c4', depot: 'nowhere' },
    })
    assert.is(unknown.statusCode, 404)
    const shift = await f.app.inject({
      method: 'POST',
      url: '/api/couriers',
      headers: h,
      payload: { id: 'c4', depot: 'depot-11', shift: '18:00-08:00' },
    })
    assert.is(shift.statusCode, 400)
    assert.match(shift.json().message, 'HH:MM-HH:MM')
    const speed = await f.app.inject({
      method: 'POST',
      url: '/api/couriers',
      headers: h,
      payload: { id: 'c4', depot: 'depot-11', speedKmh: 0 },
    })
    assert.is(speed.json().field, 'body.speedKmh')
    const list = (await f.app.inject({ url: '/api/couriers', headers: h })).json()
    assert.equal(
      list.couriers.map((c: { id: string; shiftStart: string; speedKmh: number }) => [
        c.id,
        c.shiftStart,
        c.speedKmh,
      ]),
      [
        ['c1', '08:00', 30],
        ['c2', '08:00', 30],
        ['c3', '07:30', 18],
      ],
    )
  },
)

t(
  'sites: created through createSite, listed; one site reads with its requests and buttons',
  async ({ f }) => {
    const h = as(f, 'ops')
    const made = await f.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: h,
      payload: { id: 's9', address: ' 9 rue Oberkampf ', lat: 48.865, lon: 2.372, contact: 'Mme Roux' },
    })
    assert.is(made.statusCode, 201)
    assert.equal(made.json(), {
      id: 's9',
      name: 's9',
      address: '9 rue Oberkampf',
      lat: 48.865,
      lon: 2.372,
      notes: null,
      contact: 'Mme Roux',
      courierId: null,
    })
    const dup = await f.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: h,
      payload: { id: 's9', address: 'x', lat: 1, lon: 1 },
    })
    assert.is(dup.statusCode, 409)
    const sites = (await f.app.inject({ url: '/api/sites', headers: h })).json().sites
    assert.equal(
      sites.map((s: { id: string; courierId: string | null }) => [s.id, s.courierId]),
      [
        ['s1', 'c1'],
        ['s2', 'c2'],
        ['s3', null],
        ['s9', null],
      ],
    )
    const s3 = await f.app.inject({ url: '/api/sites/s3', headers: h })
    assert.is(s3.statusCode, 200)
    const body = s3.json()
    assert.is(body.site.id, 's3')
    assert.is(body.current.id, 'req-3')
    assert.equal(
      body.history.map((p: { id: string }) => p.id),
      ['req-3', 'req-5', 'req-4'],
    )
    assert.equal(body.history[0].transitions, [
      { from: null, to: 'requested', at: body.history[0].requestedAt, by: 'box-s3/button', reason: null },
    ])
    // The cloud has not heard the agent: known from its requests, offline.
    assert.equal(body.buttons, [{ agent: 'box-s3', device: 'button', online: false }])
    const s9 = (await f.app.inject({ url: '/api/sites/s9', headers: h })).json()
    assert.equal([s9.current, s9.history, s9.buttons], [null, [], []])
    assert.is((await f.app.inject({ url: '/api/sites/s8', headers: h })).statusCode, 404)
  },
)

t('a site’s buttons come from the agents’ birth, with their online state', async () => {
  const agents: AgentStateReader = {
    get: (agent) =>
      agent === 'box-s1'
        ? {
            ...emptySnapshot(agent),
            online: true,
            since: 5,
            info: {
              version: '1.2.0',
              devices: [
                { id: 'button-a', kind: 'button' },
                { id: 'led', kind: 'led' },
              ],
            } as never,
          }
        : undefined,
  }
  const f = await pickupsFixture({ fleet: { agents, events: undefined as never } })
  try {
    const site = (await f.app.inject({ url: '/api/sites/s1', headers: as(f, 's1') })).json()
    assert.equal(site.buttons, [
      { agent: 'box-s1', device: 'button', online: true },
      { agent: 'box-s1', device: 'button-a', online: true },
    ])
    const buttons = (await f.app.inject({ url: '/api/buttons', headers: as(f, 'ops') })).json().buttons
    assert.equal(
      buttons.map(
        (b: {
          agent: string
          site: string
          online: boolean
          version: string | null
          current: Array<{ id: string }>
        }) => [b.agent, b.site, b.online, b.version, b.current.map((p) => p.id)],
      ),
      [
        ['box-s1', 's1', true, '1.2.0', ['req-1']],
        ['box-s2', 's2', false, null, ['req-2']],
        ['box-s3', 's3', false, null, ['req-3']],
      ],
    )
    assert.equal(
      buttons[0].devices.map((d: { id: string; kind: string }) => [d.id, d.kind]),
      [
        ['button-a', 'button'],
        ['led', 'led'],
      ],
    )
  } finally {
    await f.close()
  }
})

t('a courier’s round: of the day asked, today in RELAIS_TZ by default; a bad day is 400', async ({ f }) => {
  const res = await f.app.inject({ url: `/api/couriers/c1/round?day=${DAY}`, headers: as(f, 'c1') })
  assert.is(res.statusCode, 200, res.body)
  const round = res.json()
  assert.equal([round.id, round.courierId, round.day], ['round-c1', 'c1', DAY])
  assert.equal(
    round.stops.map((s: { site: { id: string }; request: { id: string } }) => [s.site.id, s.request.id]),
    [['s1', 'req-1']],
  )
  assert.match(round.stops[0].mapUrl, 'https://www.openstreetmap.org/?mlat=48.8556')
  const today = await f.app.inject({ url: '/api/couriers/c1/round', headers: as(f, 'c1') })
  assert.is(today.statusCode, 200)
  assert.equal(f.calls.at(-1), { method: 'roundOf', args: ['c1', DAY] })
  const calls = f.calls.length
  for (const day of ['2026-02-31', '2026-3-02', 'tomorrow']) {
    const bad = await f.app.inject({ url: `/api/couriers/c1/round?day=${day}`, headers: as(f, 'c1') })
    assert.is(bad.statusCode, 400, day)
  }
  const extra = await f.app.inject({ url: `/api/couriers/c1/round?day=${DAY}&x=1`, headers: as(f, 'c1') })
  assert.is(extra.statusCode, 400)
  assert.is((await f.app.inject({ url: '/api/couriers/c7/round', headers: as(f, 'ops') })).statusCode, 404)
  assert.is(f.calls.length, calls, 'nothing was planned for bad input')
})

t('the rounds of a day: every courier with its counts', async ({ f }) => {
  const res = (await f.app.inject({ url: `/api/rounds?day=${DAY}`, headers: as(f, 'ops') })).json()
  assert.is(res.day, DAY)
  assert.equal(
    res.rounds.map(
      (r: { courier: { id: string }; round: { id: string } | null; open: number; collected: number }) => [
        r.courier.id,
        r.round?.id ?? null,
        r.open,
        r.collected,
      ],
    ),
    [
      ['c1', 'round-c1', 1, 0],
      ['c2', 'round-c2', 1, 1],
    ],
  )
  const other = (await f.app.inject({ url: '/api/rounds?day=2026-03-03', headers: as(f, 'ops') })).json()
  assert.equal(
    other.rounds.map((r: { round: unknown }) => r.round),
    [null, null],
  )
})

t('the request list filters by state and site, newest first, with a limit', async ({ f }) => {
  const ids = async (q: string) => {
    const res = await f.app.inject({ url: `/api/pickups${q}`, headers: as(f, 'ops') })
    assert.is(res.statusCode, 200, `${q}: ${res.body}`)
    return res.json().pickups.map((p: { id: string }) => p.id)
  }
  assert.equal(await ids(''), ['req-3', 'req-2', 'req-1', 'req-5', 'req-4'])
  assert.equal(await ids('?state=scheduled'), ['req-2', 'req-1'])
  assert.equal(await ids('?site=s3'), ['req-3', 'req-5', 'req-4'])
  assert.equal(await ids('?site=s3&state=collected'), ['req-4'])
  assert.equal(await ids('?limit=2'), ['req-3', 'req-2'])
  for (const q of ['?state=lost', '?limit=0', '?limit=x', '?site=S 1', '?colour=red']) {
    const res = await f.app.inject({ url: `/api/pickups${q}`, headers: as(f, 'ops') })
    assert.is(res.statusCode, 400, q)
    assert.is(res.json().error, 'invalid_request')
  }
})

t('a courier collects its stop: recorded as courier:<id>, with the note; twice is 409', async ({ f }) => {
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/collected',
    headers: as(f, 'c1'),
    payload: { note: '  two parcels ' },
  })
  assert.is(res.statusCode, 200, res.body)
  assert.equal([res.json().state, res.json().reason], ['collected', 'two parcels'])
  assert.equal(res.json().transitions.at(-1).by, 'courier:c1')
  assert.equal(f.calls.at(-2), { method: 'collect', args: ['req-1', 'courier:c1', 'two parcels'] })
  const again = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/collected',
    headers: as(f, 'c1'),
    payload: {},
  })
  assert.is(again.statusCode, 409)
  assert.is(again.json().error, 'conflict')
  // A closed request on its own round is still the courier's to read.
  assert.is(
    (await f.app.inject({ url: '/api/pickups/req-1', headers: as(f, 'c1') })).json().state,
    'collected',
  )
})

t('not found needs a reason; bad bodies are 400 naming the field and change nothing', async ({ f }) => {
  const before = await f.snapshot('req-1')
  for (const [url, payload, field] of [
    ['/api/pickups/req-1/not-found', {}, 'body.reason'],
    ['/api/pickups/req-1/not-found', { reason: '   ' }, 'body.reason'],
    ['/api/pickups/req-1/not-found', { reason: 'x'.repeat(201) }, 'body.reason'],
    ['/api/pickups/req-1/not-found', { reason: 'empty', extra: 1 }, 'body.extra'],
    ['/api/pickups/req-1/collected', { note: 7 }, 'body.note'],
    ['/api/pickups/req-1/cancel', { reason: '' }, 'body.reason'],
  ] as const) {
    const res = await f.app.inject({ method: 'POST', url, headers: as(f, 'ops'), payload })
    assert.is(res.statusCode, 400, `${url} ${JSON.stringify(payload)}`)
    assert.is(res.json().field, field)
  }
  const notJson = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/not-found',
    headers: { ...as(f, 'ops'), 'content-type': 'application/json' },
    payload: '{"reason": ',
  })
  assert.is(notJson.statusCode, 400)
  assert.equal(await f.snapshot('req-1'), before)
  assert.is(f.calls.length, 0)
  const ok = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/not-found',
    headers: as(f, 'c1'),
    payload: { reason: 'nothing in the box' },
  })
  assert.equal([ok.json().state, ok.json().reason], ['not_found', 'nothing in the box'])
})

t('a customer cancels their own request online (site:<id>); ops cancel as ops:<token id>', async ({ f }) => {
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-1/cancel',
    headers: as(f, 's1'),
    payload: { reason: 'posted by mistake' },
  })
  assert.is(res.statusCode, 200)
  assert.equal(f.calls.at(-2), { method: 'cancel', args: ['req-1', 'site:s1', 'posted by mistake'] })
  const ops = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-2/cancel',
    headers: as(f, 'ops'),
    payload: { reason: 'address closed' },
  })
  assert.is(ops.statusCode, 200)
  assert.equal(ops.json().transitions.at(-1).by, `ops:${f.opsTokenId}`)
  const closed = await f.app.inject({
    method: 'POST',
    url: '/api/pickups/req-4/cancel',
    headers: as(f, 'ops'),
    payload: { reason: 'x' },
  })
  assert.is(closed.statusCode, 409)
})

t('without the round service, lists still answer and planning or actions are 503', async () => {
  const f = await pickupsFixture({ pickups: { timeZone: 'Europe/Paris', webhookConfigured: false } })
  try {
    assert.is((await f.app.inject({ url: '/api/sites', headers: as(f, 'ops') })).statusCode, 200)
    assert.is((await f.app.inject({ url: '/api/pickups', headers: as(f, 'ops') })).statusCode, 200)
    const round = await f.app.inject({ url: '/api/couriers/c1/round', headers: as(f, 'c1') })
    assert.is(round.statusCode, 503)
    assert.is(round.json().error, 'unavailable')
    const act = await f.app.inject({
      method: 'POST',
      url: '/api/pickups/req-1/collected',
      headers: as(f, 'c1'),
      payload: {},
    })
    assert.is(act.statusCode, 503)
  } finally {
    await f.close()
  }
})

t(
  'the webhook queue for ops: pending count, oldest first, each one’s attempts and last error',
  async ({ f }) => {
    const row = (
      id: string,
      request: string,
      at: number,
      delivered: number | null,
      error: string | null,
    ) => ({
      id,
      request_id: request,
      body: '{}',
      created_at: at,
      next_at: at + 60_000,
      attempts: error ? 3 : 1,
      delivered_at: delivered,
      last_status: error ? 503 : 200,
      last_error: error,
    })
    await f.db
      .insertInto('webhook_deliveries')
      .values([
        row('d1', 'req-1', 1000, 2000, null),
        row('d2', 'req-1', 3000, null, 'HTTP 503'),
        row('d3', 'req-2', 4000, null, 'HTTP 503'),
      ])
      .execute()
    const res = (
      await f.app.inject({ url: '/api/webhooks/deliveries?pending=true', headers: as(f, 'ops') })
    ).json()
    assert.equal([res.configured, res.pending, res.oldestPendingAt], [false, 2, 3000])
    assert.equal(
      res.deliveries.map(
        (d: { id: string; attempts: number; lastStatus: number; lastError: string | null }) => [
          d.id,
          d.attempts,
          d.lastStatus,
          d.lastError,
        ],
      ),
      [
        ['d2', 3, 503, 'HTTP 503'],
        ['d3', 3, 503, 'HTTP 503'],
      ],
    )
    const all = (await f.app.inject({ url: '/api/webhooks/deliveries', headers: as(f, 'ops') })).json()
    assert.equal(
      all.deliveries.map((d: { id: string }) => d.id),
      ['d3', 'd2', 'd1'],
    )
    const bad = await f.app.inject({ url: '/api/webhooks/deliveries?pending=yes', headers: as(f, 'ops') })
    assert.is(bad.statusCode, 400)
  },
)

t.run()
