// Issue 4's proof, end to end: 30 letterboxes with a real edge agent each (simulated button: presses as
// edges through the agent's classifier, outbox, link), an in-process cloud (Aedes, SQLite, the round
// service, the HTTP API), one depot and two couriers. Every site asks once; some ask twice (the same
// request comes back), some cancel with a long press; one agent's network is down while it presses, and
// its press arrives later through its outbox. Then: each courier's round holds exactly the open requests,
// once each, in a good order; every button shows its window; the courier marks each stop collected
// through the API and every button shows it; the database holds one request per site, whole histories,
// and each press applied exactly once. Everything is waited for by condition, never by time.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PressKind } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Cloud } from '../../cloud/src/app/cloud.js'
import { loadConfig } from '../../cloud/src/app/config.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { assignSiteCourier, createCourier } from '../../cloud/src/domains/couriers/couriers.js'
import { createDepot } from '../../cloud/src/domains/depots/depots.js'
import { WINDOW_SLACK_MS } from '../../cloud/src/domains/pickups/request-change.js'
import {
  distanceMatrix,
  haversine,
  nearestNeighbour,
  pathProblem,
  planRoute,
  stopsOf,
  tourLength,
  validatePoints,
} from '../../cloud/src/domains/pickups/route/index.js'
import type { RoundView } from '../../cloud/src/domains/pickups/views.js'
import { createSite } from '../../cloud/src/domains/sites/sites.js'
import { issueToken } from '../../cloud/src/domains/tokens/tokens.js'
import {
  AgentFleet,
  LinkFault,
  PARIS_DEPOT,
  parisSites,
  pickupPlan,
  type SimulatedAgent,
  type SitePresses,
} from '../../simulators/src/index.js'
import { waitFor } from '../testkit/services.js'

const SITES = 30
const COURIERS = ['courier-a', 'courier-b'] as const
const LONG = 60_000

interface Ctx {
  dir: string
  cloud: Cloud
  fleet: AgentFleet
  fault: LinkFault
  plan: SitePresses[]
  /** Site -> its agent; site -> its courier; courier -> API token. */
  agentOf: Map<string, SimulatedAgent>
  courierOf: Map<string, string>
  tokens: Map<string, string>
  offline: string
  /** Site -> the request its first press opened (as the button stored it). */
  requestOf: Map<string, string>
  rounds: Map<string, RoundView>
}

const t = suite<Ctx>('pickup end to end: 30 buttons, two couriers, a cut link')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-pickup-e2e-'))
  const log = pino({ level: 'silent' })
  ctx.cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: join(ctx.dir, 'cloud'),
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
    }),
    log,
  )
  await ctx.cloud.start()
  const db = ctx.cloud.db
  await createDepot(db, PARIS_DEPOT)
  ctx.tokens = new Map()
  for (const id of COURIERS) {
    // All day, so the rounds are today's whenever the test runs.
    await createCourier(db, { id, depotId: PARIS_DEPOT.id, shift: '00:00-24:00' })
    ctx.tokens.set(id, (await issueToken(db, { scope: 'courier', courierId: id })).token)
  }
  const sites = parisSites(SITES, 4)
  ctx.plan = pickupPlan({ sites: sites.map((s) => s.id) })
  // The offline one only asks, once: its single press is the one that waits in the outbox.
  ctx.offline = ctx.plan.find((p) => p.presses.length === 1)!.site
  ctx.fault = new LinkFault({ host: '127.0.0.1', port: ctx.cloud.mqttPort })
  await ctx.fault.start()
  ctx.courierOf = new Map()
  const specs = []
  for (const [k, s] of sites.entries()) {
    await createSite(db, s)
    const courier = COURIERS[k % 3 === 0 ? 1 : 0]
    await assignSiteCourier(db, s.id, courier)
    ctx.courierOf.set(s.id, courier)
    const a = await addAgent(db, { id: `box-${k}`, siteId: s.id })
    specs.push({
      agent: a.username,
      secret: a.secret,
      buttons: ['button'],
      brokerUrl: s.id === ctx.offline ? ctx.fault.url : undefined,
    })
  }
  ctx.fleet = new AgentFleet({
    brokerUrl: `mqtt://127.0.0.1:${ctx.cloud.mqttPort}`,
    dataDir: join(ctx.dir, 'agents'),
    agents: specs,
    log,
  })
  await ctx.fleet.start()
  ctx.agentOf = new Map(sites.map((s, k) => [s.id, ctx.fleet.agents[k]!]))
  await waitFor(
    'every agent connected',
    async () => ctx.fleet.agents.every((a) => a.agent.link.connected),
    LONG,
  )
  ctx.requestOf = new Map()
  ctx.rounds = new Map()
})

t.after(async (ctx) => {
  await ctx.fleet?.stop()
  await ctx.fault?.stop()
  await ctx.cloud?.stop()
  rmSync(ctx.dir, { recursive: true, force: true })
})

const api = async <T>(ctx: Ctx, courier: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${ctx.cloud.httpPort}/api${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ctx.tokens.get(courier)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

/** One press by hand on a site's button, waited for until its ack is in (the button showed it). */
async function pressAcked(a: SimulatedAgent, kind: PressKind): Promise<void> {
  const f = a.button()!
  const before = f.stats.acks
  // A long press's edges start longMs before now: let the last press end well before that.
  if (kind === 'long') await sleep(2600)
  assert.ok(a.press(kind), `${a.id}: the button takes the press`)
  await waitFor(`${a.id}: ${kind} press acked`, async () => f.stats.acks > before, LONG)
}

const openSites = (ctx: Ctx) => ctx.plan.filter((p) => p.open).map((p) => p.site)
const openRequests = (ctx: Ctx) =>
  ctx.cloud.db
    .selectFrom('pickup_requests')
    .select(['id', 'site_id', 'state', 'window_from', 'window_to', 'round_id'])
    .where('state', 'in', ['requested', 'scheduled'])
    .execute()

t('every site presses; one with its network down, whose press arrives once it is back', async (ctx) => {
  const off = ctx.agentOf.get(ctx.offline)!
  ctx.fault.down()
  await waitFor('the offline agent to lose its link', async () => !off.agent.link.connected, LONG)
  const stored = off.button()!.stats.presses
  assert.ok(off.press('single'))
  await waitFor('the offline press stored', async () => off.button()!.stats.presses > stored, LONG)
  assert.is(off.agent.outbox.depth, 1, 'the press waits in the outbox')

  await Promise.all(
    ctx.plan
      .filter((p) => p.site !== ctx.offline)
      .map(async (p) => {
        const a = ctx.agentOf.get(p.site)!
        for (const [i, kind] of p.presses.entries()) {
          await pressAcked(a, kind)
          if (i === 0) ctx.requestOf.set(p.site, a.pickup()!.id)
          // A second single brings back the request the first one opened.
          if (kind === 'single' && i > 0)
            assert.is(a.pickup()?.id, ctx.requestOf.get(p.site), `${p.site}: same request`)
          if (kind === 'long') assert.is(a.pickup()?.state, 'cancelled', `${p.site}: cancelled at the button`)
        }
      }),
  )
  const meanwhile = await ctx.cloud.db
    .selectFrom('pickup_requests')
    .select('id')
    .where('site_id', '=', ctx.offline)
    .execute()
  assert.equal(meanwhile, [], 'nothing of the offline site reached the cloud while its link was down')
  assert.is(off.button()!.stats.acks, 0)

  ctx.fault.up()
  await waitFor('the offline press acked through the outbox', async () => off.pickup() !== undefined, 120_000)
  ctx.requestOf.set(ctx.offline, off.pickup()!.id)
  assert.is(off.pickup()?.state === 'requested' || off.pickup()?.state === 'scheduled', true)
  await waitFor('the offline outbox emptied', async () => off.agent.outbox.depth === 0, LONG)
})

t('each courier round holds exactly the open requests, once each, in a good order', async (ctx) => {
  const open = new Set(openSites(ctx).map((s) => ctx.requestOf.get(s)!))
  await waitFor(
    'every open request scheduled with a window',
    async () => {
      const rows = await openRequests(ctx)
      return rows.length === open.size && rows.every((r) => r.state === 'scheduled' && r.window_from !== null)
    },
    LONG,
  )
  await ctx.cloud.rounds!.idle()
  const rows = await openRequests(ctx)
  assert.equal(new Set(rows.map((r) => r.id)), open, 'the open requests are the first presses of open sites')
  for (const courier of COURIERS) {
    const roundIds = new Set(
      rows.filter((r) => ctx.courierOf.get(r.site_id) === courier).map((r) => r.round_id),
    )
    assert.is(roundIds.size, 1, `${courier}: one round`)
    const day = (
      await ctx.cloud.db
        .selectFrom('rounds')
        .select('day')
        .where('id', '=', [...roundIds][0]!)
        .executeTakeFirstOrThrow()
    ).day
    const round = await api<RoundView>(ctx, courier, 'GET', `/couriers/${courier}/round?day=${day}`)
    ctx.rounds.set(courier, round)
    const ids = round.stops.map((s) => s.request.id)
    const expected = openSites(ctx)
      .filter((s) => ctx.courierOf.get(s) === courier)
      .map((s) => ctx.requestOf.get(s)!)
    assert.is(new Set(ids).size, ids.length, `${courier}: no request twice`)
    assert.equal([...ids].sort(), [...expected].sort(), `${courier}: exactly its open requests`)
    assert.ok(
      round.stops.every((s) => s.request.state === 'scheduled' && ctx.courierOf.get(s.site.id) === courier),
    )

    // The order: a closed tour from the depot, within 10 % of a fresh plan and no worse than NN.
    const depot = { lat: round.depot.lat, lon: round.depot.lon }
    const stops = round.stops.map((s) => ({ id: s.request.id, lat: s.site.lat, lon: s.site.lon }))
    const path = [depot, ...stops, depot]
    let length = 0
    for (let i = 1; i < path.length; i++)
      length += haversine(path[i - 1]!.lat, path[i - 1]!.lon, path[i]!.lat, path[i]!.lon)
    const fresh = planRoute({ metric: 'haversine', depot, stops }).length
    const matrix = distanceMatrix(validatePoints('haversine', depot, stops).coords, 'haversine')
    const nn = tourLength(matrix, stopsOf(pathProblem(matrix), nearestNeighbour(pathProblem(matrix))))
    assert.ok(
      length <= fresh * 1.1,
      `${courier}: ${length.toFixed(0)} m vs a fresh plan ${fresh.toFixed(0)} m`,
    )
    assert.ok(length <= nn + 1, `${courier}: ${length.toFixed(0)} m vs nearest neighbour ${nn.toFixed(0)} m`)
  }
})

t('every button shows the window of its stop', async (ctx) => {
  // The button shows the window it was last told; re-plans tell it again only when a window moves by
  // more than WINDOW_SLACK_MS (the round's own windows drift as the clock moves the courier's start).
  const toldWindows = async () =>
    new Map(
      (await openRequests(ctx)).map((r) => [
        r.site_id,
        { from: Number(r.window_from), to: Number(r.window_to) },
      ]),
    )
  let told = await toldWindows()
  const shows = (s: string) => {
    const p = ctx.agentOf.get(s)!.pickup()
    const w = told.get(s)
    return p?.state === 'scheduled' && p.window?.from === w?.from && p.window?.to === w?.to
  }
  await waitFor(
    'each open button to show the window it was told',
    async () => {
      told = await toldWindows()
      return openSites(ctx).every(shows)
    },
    LONG,
  ).catch(() => undefined)
  for (const s of openSites(ctx))
    assert.ok(
      shows(s),
      `${s}: shows ${JSON.stringify(ctx.agentOf.get(s)!.pickup())}, told ${JSON.stringify(told.get(s))}`,
    )
  for (const [courier, round] of ctx.rounds) {
    const fresh = await api<RoundView>(ctx, courier, 'GET', `/couriers/${courier}/round?day=${round.day}`)
    for (const stop of fresh.stops) {
      const w = ctx.agentOf.get(stop.site.id)!.pickup()!.window!
      assert.ok(
        Math.abs(w.from - stop.window.from) <= WINDOW_SLACK_MS &&
          Math.abs(w.to - stop.window.to) <= WINDOW_SLACK_MS,
        `${stop.site.id}: the button's window is its stop's`,
      )
    }
  }
  for (const p of ctx.plan.filter((x) => !x.open))
    assert.is(ctx.agentOf.get(p.site)!.pickup()?.state, 'cancelled', `${p.site}: shows its cancel`)
})

t('the courier marks each stop collected through the API; every button shows it', async (ctx) => {
  for (const [courier, round] of ctx.rounds) {
    for (const s of round.stops) {
      const v = await api<{ state: string }>(ctx, courier, 'POST', `/pickups/${s.request.id}/collected`, {})
      assert.is(v.state, 'collected')
    }
  }
  await waitFor(
    'each open button to show collected',
    async () =>
      openSites(ctx).every((s) => {
        const a = ctx.agentOf.get(s)!
        return a.pickup()?.state === 'collected' && a.display() === 'collected'
      }),
    LONG,
  )
  for (const s of openSites(ctx)) {
    const lights = ctx.agentOf.get(s)!.buttons.get('button')!.lights
    assert.ok(lights.length > 0, `${s}: the light played`)
  }
})

t('the database: one request per site, whole histories, each press applied once', async (ctx) => {
  const db = ctx.cloud.db
  await waitFor(
    'every outbox empty',
    async () => ctx.fleet.agents.every((a) => a.agent.outbox.depth === 0),
    LONG,
  )
  const requests = await db.selectFrom('pickup_requests').selectAll().execute()
  assert.is(requests.length, SITES, 'one request per pressed site, repeats folded in')
  for (const p of ctx.plan) {
    const mine = requests.filter((r) => r.site_id === p.site)
    assert.is(mine.length, 1, p.site)
    const r = mine[0]!
    assert.is(r.id, ctx.requestOf.get(p.site))
    assert.is(r.state, p.open ? 'collected' : 'cancelled', p.site)
    if (!p.open) assert.is(r.closed_reason, 'cancelled at the button')
    const chain = await db
      .selectFrom('pickup_transitions')
      .selectAll()
      .where('request_id', '=', r.id)
      .orderBy('at')
      .orderBy('id')
      .execute()
    assert.equal(
      [chain[0]?.from_state, chain[0]?.to_state],
      [null, 'requested'],
      `${p.site}: opened by its press`,
    )
    for (let i = 1; i < chain.length; i++)
      assert.is(chain[i]!.from_state, chain[i - 1]!.to_state, `${p.site}: transition ${i} follows on`)
    assert.is(chain.at(-1)!.to_state, r.state, `${p.site}: the history ends in its state`)
    if (p.open)
      assert.ok(
        chain.some((x) => x.to_state === 'scheduled'),
        `${p.site}: was scheduled`,
      )
  }
  const sent = ctx.fleet.agents.reduce((n, a) => n + a.button()!.stats.presses, 0)
  assert.is(
    sent,
    ctx.plan.reduce((n, p) => n + p.presses.length, 0),
    'every planned press was made',
  )
  const processed = await db
    .selectFrom('processed_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('agent_id', 'like', 'box-%')
    .executeTakeFirstOrThrow()
  assert.is(Number(processed.n), sent, 'each press applied exactly once')
})

t.run()
