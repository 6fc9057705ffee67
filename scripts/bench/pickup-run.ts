// The pickup bench's measurements, against an in-process Cloud on SQLite (embedded defaults): N simulated
// buttons (contract-only ButtonDevice, one MQTT client each) at M sites press at a fixed pace, single and
// long in turn, so every single opens a new request. Timed with performance.now() in this process:
//   press -> ack:        press published -> its cmd/ack (carrying the pickup) received
//   press -> scheduled:  press published -> the pickup on a round with a window (ack or cmd/pickup)
// Baseline in the same run, at the same pace and client count: a bare MQTT round trip on the same broker
// (pickup-echo.ts), measured before and after the presses and pooled. Then one open request per site and
// the planning time for that live round.
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { Cloud } from '../../cloud/src/app/cloud.js'
import { loadConfig } from '../../cloud/src/app/config.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { assignSiteCourier, createCourier } from '../../cloud/src/domains/couriers/couriers.js'
import { createDepot } from '../../cloud/src/domains/depots/depots.js'
import { createHousehold } from '../../cloud/src/domains/households/households.js'
import { loadCourier, planRound } from '../../cloud/src/domains/pickups/round-plan.js'
import {
  distanceMatrix,
  nearestNeighbour,
  pathProblem,
  planRoute,
  stopsOf,
  tourLength,
  validatePoints,
} from '../../cloud/src/domains/pickups/route/index.js'
import { createSite } from '../../cloud/src/domains/sites/sites.js'
import { ButtonDevice, PARIS_DEPOT, type PressRecord, parisSites } from '../../simulators/src/index.js'
import { waitFor } from '../testkit/services.js'
import { benchMeta } from './meta.js'
import { quantile } from './phases.js'
import { EchoClient, startEcho } from './pickup-echo.js'

export interface PickupBenchOptions {
  buttons: number
  sites: number
  /** Presses per button (and echoes per baseline client, in each baseline phase). */
  pressesPerButton: number
  /** Presses (or echoes) per second over all buttons. */
  rate: number
  /** Timed runs of the route planner; the median is reported. */
  routeRuns: number
}

export interface LatencyStats {
  sent: number
  answered: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface RouteTiming {
  stops: number
  /** planRoute on the live round's stops (validation, matrix, construction, local search, kicks). */
  planMedianMs: number
  planMinMs: number
  /** Nearest neighbour alone on the same stops, the route bench's baseline. */
  nnMedianMs: number
  lengthKm: number
  nnLengthKm: number
  /** The round service's whole re-plan of that round (read, plan, write in one transaction). */
  replan?: { medianMs: number; minMs: number; stops: number }
}

export interface PickupBenchRun {
  meta: ReturnType<typeof benchMeta<PickupBenchOptions>>
  bare: LatencyStats
  pressAck: LatencyStats
  /** Undefined when the cloud schedules nothing (no courier rounds in this build). */
  pressScheduled?: LatencyStats
  outcomes: Record<string, number>
  /** Unexpected outcomes, lost acks, contract violations from the cloud. */
  errors: number
  route: RouteTiming
}

/** What a single or long press may be answered with in this workload. */
export const EXPECTED_PRESS_OUTCOMES = ['pickup_requested', 'pickup_cancelled']

const COURIER = 'bench-courier'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function stats(ms: number[], sent: number): LatencyStats {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    sent,
    answered: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  }
}

/** Calls op(i) for i < count at `rate` per second, catching up on the schedule when the loop lags. */
async function paced(count: number, rate: number, op: (i: number) => void): Promise<void> {
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    op(i)
  }
}

export async function runPickupBench(
  o: PickupBenchOptions,
  progress: (line: string) => void = () => {},
): Promise<PickupBenchRun> {
  const loadBefore = loadavg()[0]!
  const dir = mkdtempSync(join(tmpdir(), 'relais-bench-pickup-'))
  const cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: dir,
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
    }),
    pino({ level: 'silent' }),
  )
  await cloud.start()
  const buttons: ButtonDevice[] = []
  const echoes: EchoClient[] = []
  let stopEcho: (() => Promise<void>) | undefined
  try {
    const url = `mqtt://127.0.0.1:${cloud.mqttPort}`
    // One courier on duty all day collects every site, so each new request is planned onto today's round.
    await createDepot(cloud.db, PARIS_DEPOT)
    await createCourier(cloud.db, { id: COURIER, depotId: PARIS_DEPOT.id, shift: '00:00-24:00' })
    const sites = parisSites(o.sites)
    for (const s of sites) {
      await createSite(cloud.db, s)
      await assignSiteCourier(cloud.db, s.id, COURIER)
    }
    // The baseline's echo clients are agents too (the broker knows no one else); a household of their
    // own places them, since every agent has a placement.
    await createHousehold(cloud.db, { id: 'bench-echo' })
    const creds = await Promise.all(
      Array.from({ length: o.buttons }, async (_, k) => ({
        button: await addAgent(cloud.db, { id: `button-${k}`, siteId: sites[k % o.sites]!.id }),
        echo: await addAgent(cloud.db, { id: `echo-${k}`, householdId: 'bench-echo' }),
      })),
    )
    progress(`${o.sites} sites, ${o.buttons} buttons provisioned`)

    stopEcho = await startEcho(cloud.broker!)
    for (const c of creds) {
      const b = new ButtonDevice({
        url,
        agent: c.button.username,
        secret: c.button.secret,
        resendAfterMs: 30_000,
      })
      b.start()
      buttons.push(b)
      echoes.push(await EchoClient.connect(url, c.echo.username, c.echo.secret))
    }
    await Promise.all(buttons.map((b) => b.waitConnected()))

    // Warm-up (JIT, SQLite pages, the writer thread): one double press and one echo each, untimed.
    await Promise.all(buttons.map((b) => b.acked(b.press('double'))))
    for (const e of echoes) e.send()
    await waitFor('warm-up echoes', async () => echoes.every((e) => e.outstanding === 0), 60_000)
    for (const e of echoes) e.rtts.length = 0

    const total = o.buttons * o.pressesPerButton
    const bare = async (label: string) => {
      await paced(total, o.rate, (i) => echoes[i % o.buttons]!.send())
      await waitFor(
        `${label}: every echo back`,
        async () => echoes.every((e) => e.outstanding === 0),
        120_000,
      )
      progress(`${label} done`)
    }
    await bare('bare round trips (before)')

    const timed: PressRecord[] = []
    await paced(total, o.rate, (i) => {
      const b = buttons[i % o.buttons]!
      const turn = Math.floor(i / o.buttons)
      timed.push(
        b.presses.get(b.press(turn % 2 === 0 ? 'single' : 'long', turn % 2 === 0 ? undefined : 2500))!,
      )
    })
    await waitFor('every press acked', async () => buttons.every((b) => b.unacked === 0), 120_000).catch(
      () => undefined,
    )
    const scheduledMs = await scheduledLatencies(cloud, buttons, timed)
    progress('presses done')
    await bare('bare round trips (after)')

    const outcomes: Record<string, number> = {}
    for (const r of timed) {
      const k = r.ack?.outcome ?? 'lost'
      outcomes[k] = (outcomes[k] ?? 0) + 1
    }
    const ackMs = timed.filter((r) => r.ack).map((r) => r.ackAt! - r.sentAt!)
    const odd = Object.entries(outcomes).filter(([k]) => !EXPECTED_PRESS_OUTCOMES.includes(k))
    const errors = odd.reduce((s, [, n]) => s + n, 0) + buttons.reduce((s, b) => s + b.invalid.length, 0)

    // The live round: one open request per site, then the planner on exactly those stops.
    const open = sites.map((_, k) => buttons[k % o.buttons]!)
    const last = await Promise.all(open.map((b) => b.acked(b.press('single'))))
    const live = await cloud.db
      .selectFrom('pickup_requests')
      .innerJoin('sites', 'sites.id', 'pickup_requests.site_id')
      .select(['pickup_requests.id as id', 'sites.lat as lat', 'sites.lon as lon'])
      .where('pickup_requests.state', 'in', ['requested', 'scheduled'])
      .execute()
    progress(`${last.length} sites pressed, ${live.length} open requests`)
    await cloud.rounds?.idle()
    const route = await timeRoute(cloud, live, o.routeRuns)

    return {
      meta: benchMeta(loadBefore, o),
      bare: stats(
        echoes.flatMap((e) => e.rtts),
        2 * total,
      ),
      pressAck: stats(ackMs, total),
      pressScheduled: cloud.rounds
        ? stats(scheduledMs, timed.filter((r) => r.press === 'single').length)
        : undefined,
      outcomes,
      errors,
      route,
    }
  } finally {
    await Promise.all(buttons.map((b) => b.stop()))
    await Promise.all(echoes.map((e) => e.close()))
    await stopEcho?.()
    await cloud.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * press -> scheduled for every single press: until its request is on the round with a window, from the
 * ack if it says so already, else from the first cmd/pickup that does. Requests cancelled before a
 * re-plan reached them never get a window and count as sent, not answered.
 */
async function scheduledLatencies(
  cloud: Cloud,
  buttons: ButtonDevice[],
  timed: PressRecord[],
): Promise<number[]> {
  if (!cloud.rounds) return []
  const singles = timed.filter((r) => r.press === 'single' && r.ack?.pickup)
  const ownerOf = new Map<string, ButtonDevice>()
  for (const b of buttons) for (const id of b.presses.keys()) ownerOf.set(id, b)
  const when = (r: PressRecord): number | undefined => {
    const p = r.ack!.pickup!
    if (p.state === 'scheduled' && p.window) return r.ackAt
    const cmd = ownerOf
      .get(r.id)!
      .pickupCmds.find((c) => c.env.data.pickup?.id === p.id && c.env.data.pickup.state === 'scheduled')
    return cmd?.at
  }
  let everScheduled = new Set<string>()
  await waitFor(
    'every scheduled request told to its button',
    async () => {
      await cloud.rounds!.idle()
      const rows = await cloud.db
        .selectFrom('pickup_transitions')
        .select('request_id')
        .where('to_state', '=', 'scheduled')
        .execute()
      everScheduled = new Set(rows.map((x) => x.request_id))
      return singles.every((r) => !everScheduled.has(r.ack!.pickup!.id) || when(r) !== undefined)
    },
    120_000,
  ).catch(() => undefined)
  return singles.flatMap((r) => {
    const at = when(r)
    return at === undefined ? [] : [at - r.sentAt!]
  })
}

async function timeRoute(
  cloud: Cloud,
  stops: Array<{ id: string; lat: number; lon: number }>,
  runs: number,
): Promise<RouteTiming> {
  const depot = { lat: PARIS_DEPOT.lat, lon: PARIS_DEPOT.lon }
  const plan = () => planRoute({ metric: 'haversine', depot, stops }).length
  // As the route bench's baseline: validation, distance matrix and the nearest-neighbour tour.
  const nn = () => {
    const matrix = distanceMatrix(validatePoints('haversine', depot, stops).coords, 'haversine')
    return tourLength(matrix, stopsOf(pathProblem(matrix), nearestNeighbour(pathProblem(matrix))))
  }
  const time = async (f: () => number | Promise<number>) => {
    const ms: number[] = []
    let length = await f() // warm-up
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now()
      length = await f()
      ms.push(performance.now() - t0)
    }
    return { ms: ms.sort((a, b) => a - b), length }
  }
  const p = await time(plan)
  const n = await time(nn)
  // The round service's own re-plan of the live round: read the stops, plan, write stops and windows.
  let replan: RouteTiming['replan']
  const courier = await loadCourier(cloud.db, COURIER)
  const round = await cloud.db
    .selectFrom('rounds')
    .select('day')
    .where('courier_id', '=', COURIER)
    .executeTakeFirst()
  if (courier && round) {
    const settings = { timeZone: cloud.config.pickups.timeZone, webhook: false }
    const r = await time(
      async () => (await planRound(cloud.db, courier, round.day, Date.now(), settings))?.stops ?? 0,
    )
    replan = { medianMs: quantile(r.ms, 0.5), minMs: r.ms[0]!, stops: r.length }
  }
  return {
    stops: stops.length,
    planMedianMs: quantile(p.ms, 0.5),
    planMinMs: p.ms[0]!,
    nnMedianMs: quantile(n.ms, 0.5),
    lengthKm: p.length / 1000,
    nnLengthKm: n.length / 1000,
    replan,
  }
}
