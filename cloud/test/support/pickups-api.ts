// Test support for the pickups API: a real SQLite database in a temp dir holding a depot, two couriers,
// three sites with a button each (s1 assigned to courier c1, s2 to c2, s3 to nobody), a round per
// courier with a stop, and a token of every kind; the app built with a small fake of PickupOps that
// changes the real rows (so a test can check that a refused call changed nothing) and records its calls.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import { addAgent } from '../../src/domains/agents/agents.js'
import { createCourier } from '../../src/domains/couriers/couriers.js'
import { createDepot } from '../../src/domains/depots/depots.js'
import { createHousehold } from '../../src/domains/households/households.js'
import { ListEvents } from '../../src/domains/lists/list-events.js'
import { PickupEvents } from '../../src/domains/pickups/pickup-events.js'
import { recordTransition } from '../../src/domains/pickups/transitions.js'
import { mapUrl, pickupView, siteView, transitionsOf } from '../../src/domains/pickups/view-rows.js'
import type { PickupOps, PickupView, RoundView } from '../../src/domains/pickups/views.js'
import { createSite } from '../../src/domains/sites/sites.js'
import { createToken, issueToken } from '../../src/domains/tokens/tokens.js'
import { buildApp, type HttpDeps } from '../../src/http/app.js'
import { conflict, notFound } from '../../src/lib/errors.js'
import type { Db } from '../../src/storage/db.js'
import type { PickupRequestsTable } from '../../src/storage/schema.js'
import { openTestDatabase } from './database.js'

export const DAY = '2026-03-02'
const T0 = Date.UTC(2026, 2, 2, 8, 0) // 09:00 in Paris that day

export interface Call {
  method: keyof PickupOps
  args: unknown[]
}

export interface PickupsFixture {
  app: FastifyInstance
  db: Db
  events: PickupEvents
  calls: Call[]
  tokens: { ops: string; c1: string; c2: string; s1: string; s2: string; home: string; bareCourier: string }
  opsTokenId: string
  /**
   * Request ids: r1 at s1 on c1's round, r2 at s2 on c2's round, r3 open at s3 on no round, r4 at s3
   * collected on c2's round (and req-5 at s3, cancelled on no round).
   */
  req: { r1: string; r2: string; r3: string; r4: string }
  auth(token: string): { authorization: string }
  /** State, reason and transition count of a request, to check that a refused call changed nothing. */
  snapshot(id: string): Promise<unknown>
  close(): Promise<void>
}

async function insertRequest(
  db: Db,
  r: Partial<PickupRequestsTable> & { id: string; site_id: string; agent_id: string },
) {
  const row: PickupRequestsTable = {
    device_id: 'button',
    state: 'requested',
    requested_at: T0,
    window_from: null,
    window_to: null,
    updated_at: T0,
    closed_reason: null,
    round_id: null,
    ...r,
  }
  await db.insertInto('pickup_requests').values(row).execute()
  await recordTransition(
    db,
    {
      request: row,
      from: null,
      to: 'requested',
      at: T0,
      by: `${row.agent_id}/button`,
      reason: null,
      eventId: null,
    },
    { webhook: false },
  )
  return row
}

/** A fake of the round service: the state rules of the real one, on the real rows, without planning. */
class FakeOps implements PickupOps {
  constructor(
    private readonly db: Db,
    private readonly events: PickupEvents,
    readonly calls: Call[],
  ) {}

  private async row(id: string): Promise<PickupRequestsTable> {
    const r = await this.db.selectFrom('pickup_requests').selectAll().where('id', '=', id).executeTakeFirst()
    if (!r) throw notFound(`pickup request '${id}'`)
    return r
  }

  private async close(id: string, to: PickupRequestsTable['state'], by: string, reason: string | null) {
    const r = await this.row(id)
    if (r.state !== 'requested' && r.state !== 'scheduled')
      throw conflict(`pickup request '${id}' is ${r.state}`)
    const at = Date.now()
    const next = { ...r, state: to, updated_at: at, closed_reason: reason }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('pickup_requests')
        .set({ state: to, updated_at: at, closed_reason: reason })
        .where('id', '=', id)
        .execute()
      await recordTransition(
        trx,
        { request: next, from: r.state, to, at, by, reason, eventId: null },
        { webhook: false },
      )
    })
    const round = r.round_id
      ? await this.db
          .selectFrom('rounds')
          .select('courier_id')
          .where('id', '=', r.round_id)
          .executeTakeFirst()
      : undefined
    this.events.emit('change', {
      requestId: id,
      siteId: r.site_id,
      courierId: round?.courier_id ?? null,
      roundId: r.round_id,
      state: to,
    })
    return this.pickup(id)
  }

  collect(id: string, by: string, note?: string) {
    this.calls.push({ method: 'collect', args: [id, by, note] })
    return this.close(id, 'collected', by, note ?? null)
  }
  notFound(id: string, by: string, reason: string) {
    this.calls.push({ method: 'notFound', args: [id, by, reason] })
    return this.close(id, 'not_found', by, reason)
  }
  cancel(id: string, by: string, reason: string) {
    this.calls.push({ method: 'cancel', args: [id, by, reason] })
    return this.close(id, 'cancelled', by, reason)
  }
  async pickup(id: string): Promise<PickupView> {
    this.calls.push({ method: 'pickup', args: [id] })
    const r = await this.row(id)
    return pickupView(r, (await transitionsOf(this.db, [id])).get(id))
  }
  async siteView(siteId: string) {
    this.calls.push({ method: 'siteView', args: [siteId] })
    const s = await this.db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirst()
    if (!s) throw notFound(`site '${siteId}'`)
    const rows = await this.db
      .selectFrom('pickup_requests')
      .selectAll()
      .where('site_id', '=', siteId)
      .orderBy('requested_at', 'desc')
      .execute()
    const t = await transitionsOf(
      this.db,
      rows.map((r) => r.id),
    )
    const history = rows.map((r) => pickupView(r, t.get(r.id)))
    return {
      site: siteView(s),
      current: history.find((p) => p.state === 'requested' || p.state === 'scheduled') ?? null,
      history,
    }
  }
  async roundOf(courierId: string, day?: string): Promise<RoundView> {
    this.calls.push({ method: 'roundOf', args: [courierId, day] })
    const round = await this.db
      .selectFrom('rounds')
      .selectAll()
      .where('courier_id', '=', courierId)
      .where('day', '=', day ?? DAY)
      .executeTakeFirst()
    if (!round) throw notFound(`round of '${courierId}' on ${day}`)
    const depot = await this.db
      .selectFrom('depots')
      .selectAll()
      .where('id', '=', round.depot_id)
      .executeTakeFirstOrThrow()
    const reqs = await this.db
      .selectFrom('pickup_requests')
      .selectAll()
      .where('round_id', '=', round.id)
      .execute()
    const sites = await this.db.selectFrom('sites').selectAll().execute()
    const open = reqs.filter((r) => r.state === 'requested' || r.state === 'scheduled')
    return {
      id: round.id,
      courierId,
      day: round.day,
      depot: { id: depot.id, name: depot.name, address: depot.address, lat: depot.lat, lon: depot.lon },
      startsAt: Number(round.starts_at),
      endsAt: Number(round.ends_at),
      lengthM: Number(round.length_m),
      revision: Number(round.revision),
      plannedAt: Number(round.planned_at),
      stops: open.map((r, i) => {
        const s = sites.find((x) => x.id === r.site_id)!
        return {
          seq: i,
          arrival: T0 + 3_600_000,
          window: { from: T0 + 3_000_000, to: T0 + 6_600_000 },
          mapUrl: mapUrl(s.lat, s.lon),
          site: siteView(s),
          request: pickupView(r),
        }
      }),
      done: reqs.filter((r) => r.state === 'collected' || r.state === 'not_found').map((r) => pickupView(r)),
    }
  }
}

export async function pickupsFixture(extra: Partial<HttpDeps> = {}): Promise<PickupsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'relais-pickups-api-'))
  const db = await openTestDatabase(dir)
  await createDepot(db, { id: 'depot-11', address: '1 rue Oberkampf, Paris', lat: 48.8649, lon: 2.3738 })
  for (const id of ['c1', 'c2']) await createCourier(db, { id, depotId: 'depot-11', name: `Courier ${id}` })
  const sites = [
    { id: 's1', address: '12 rue de Rivoli', lat: 48.8556, lon: 2.3601 },
    { id: 's2', address: '3 rue de Lappe', lat: 48.8532, lon: 2.3721 },
    { id: 's3', address: '40 rue de Charonne', lat: 48.8537, lon: 2.3795 },
  ]
  for (const s of sites) {
    await createSite(db, s)
    await addAgent(db, { id: `box-${s.id}`, siteId: s.id })
  }
  await db.updateTable('sites').set({ courier_id: 'c1' }).where('id', '=', 's1').execute()
  await db.updateTable('sites').set({ courier_id: 'c2' }).where('id', '=', 's2').execute()
  for (const c of ['c1', 'c2']) {
    await db
      .insertInto('rounds')
      .values({
        id: `round-${c}`,
        courier_id: c,
        day: DAY,
        depot_id: 'depot-11',
        starts_at: T0,
        ends_at: T0 + 9 * 3_600_000,
        planned_at: T0,
      })
      .execute()
  }
  const r1 = await insertRequest(db, {
    id: 'req-1',
    site_id: 's1',
    agent_id: 'box-s1',
    state: 'scheduled',
    round_id: 'round-c1',
  })
  const r2 = await insertRequest(db, {
    id: 'req-2',
    site_id: 's2',
    agent_id: 'box-s2',
    state: 'scheduled',
    round_id: 'round-c2',
  })
  const r3 = await insertRequest(db, { id: 'req-3', site_id: 's3', agent_id: 'box-s3' })
  const r4 = await insertRequest(db, {
    id: 'req-4',
    site_id: 's3',
    agent_id: 'box-s3',
    state: 'collected',
    round_id: 'round-c2',
    requested_at: T0 - 86_400_000,
  })
  // Cancelled at the button before any round took it: nobody's but ops'.
  await insertRequest(db, {
    id: 'req-5',
    site_id: 's3',
    agent_id: 'box-s3',
    state: 'cancelled',
    requested_at: T0 - 1000,
  })
  const ops = await issueToken(db, { scope: 'ops', name: 'ops test' })
  const tokens = {
    ops: ops.token,
    c1: (await issueToken(db, { scope: 'courier', courierId: 'c1' })).token,
    c2: (await issueToken(db, { scope: 'courier', courierId: 'c2' })).token,
    s1: (await issueToken(db, { scope: 'site', siteId: 's1' })).token,
    s2: (await issueToken(db, { scope: 'site', siteId: 's2' })).token,
    home: (await createHousehold(db, { id: 'home' })).token,
    // A courier token naming no courier (made before couriers existed): reaches nothing.
    bareCourier: await createToken(db, { scope: 'courier', name: 'old courier token' }),
  }
  const events = new PickupEvents()
  const calls: Call[] = []
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  const app = await buildApp({
    db,
    log: pino({ level: 'silent' }, sink),
    listEvents: new ListEvents(),
    pickups: {
      ops: new FakeOps(db, events, calls),
      events,
      timeZone: 'Europe/Paris',
      webhookConfigured: false,
      now: () => T0,
    },
    ...extra,
  })
  return {
    app,
    db,
    events,
    calls,
    tokens,
    opsTokenId: ops.id,
    req: { r1: r1.id, r2: r2.id, r3: r3.id, r4: r4.id },
    auth: (token) => ({ authorization: `Bearer ${token}` }),
    snapshot: async (id) => {
      const r = await db
        .selectFrom('pickup_requests')
        .select(['state', 'closed_reason', 'updated_at'])
        .where('id', '=', id)
        .executeTakeFirst()
      const n = await db
        .selectFrom('pickup_transitions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('request_id', '=', id)
        .executeTakeFirstOrThrow()
      return { ...r, transitions: Number(n.n) }
    },
    close: async () => {
      await app.close()
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
