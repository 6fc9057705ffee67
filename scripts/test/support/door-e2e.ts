// The beacon end-to-end test's shop door: the cloud in process, provisioning through the CLI and the
// API, and the reader's agent on a replay of the scenario's capture.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, type BeaconReaderFeature, createAdvertisementSource, parseAgentConfig } from '@relais/edge'
import pino from 'pino'
import { Cloud } from '../../../cloud/src/app/cloud.js'
import { loadConfig } from '../../../cloud/src/app/config.js'
import {
  APPROACH_MS,
  type ShopDoorScenario,
  type SimBeacon,
  shopDoorScenario,
} from '../../../simulators/src/index.js'
import { waitFor } from '../../testkit/services.js'
import { Api, type LogLine, memoryLog, relais, writeCapture } from './door.js'
import { StepClock } from './step-clock.js'

export const ZONE = 'shop-door'
/** The reader's leave timeout (its default, written out: the expectations below depend on it). */
export const LEAVE_TIMEOUT_MS = 30_000

export interface Person {
  member: string
  token: string
  key: string
}

export interface Visitor extends Person {
  beacon: SimBeacon
  consent: string
}

export interface DoorCtx {
  dir: string
  cloud: Cloud
  s: ShopDoorScenario
  api: Api
  ops: string
  zoneToken: string
  /** The opted-in members (consent for the zone), the one at the edge of range included. */
  visitors: Visitor[]
  /** A visitor who withdraws while in the shop, and one erased at the end. */
  revoked: Visitor
  erased: Visitor
  /** Registered, beacon and all, but never consented. */
  stranger: Person
  agent: Agent
  reader: BeaconReaderFeature
  clock: StepClock
  /** The agent's log, in order. */
  lines: LogLine[]
  /** Scenario offset (ms) of the withdrawal, once made. */
  revokeAt?: number
}

/** Zone, reader and tokens by the CLI; members, beacons and consents by the API. Returns the secret. */
export async function provision(ctx: DoorCtx): Promise<string> {
  const data = join(ctx.dir, 'cloud')
  await relais(data, 'zone', 'add', ZONE, '--name', 'Shop door')
  const agent = await relais(data, 'agent', 'add', 'door-pi', '--zone', ZONE)
  await relais(data, 'zone', 'place', 'door-pi', '--zone', ZONE)
  ctx.zoneToken = String((await relais(data, 'zone', 'token', ZONE)).token)
  ctx.ops = String((await relais(data, 'token', 'add', '--ops')).token)
  ctx.api = new Api(`http://127.0.0.1:${ctx.cloud.httpPort}`)

  const register = async (b: SimBeacon): Promise<Person> => {
    const m = await ctx.api.ok<{ member: { id: string }; token: string }>(ctx.ops, 'POST', '/members', {
      ref: `card-${b.address.replaceAll(':', '')}`,
    })
    await ctx.api.ok(ctx.ops, 'POST', `/members/${m.member.id}/beacons`, { key: b.key })
    return { member: m.member.id, token: m.token, key: b.key! }
  }
  ctx.visitors = []
  for (const b of ctx.s.beacons.filter((x) => x.optedIn)) {
    const p = await register(b)
    // The member opts in with their own token, as from their page.
    const c = await ctx.api.ok<{ id: string }>(p.token, 'POST', `/members/${p.member}/consents`, {
      zone: ZONE,
    })
    ctx.visitors.push({ ...p, beacon: b, consent: c.id })
  }
  // One who walks right up to the counter, so the reader would report them if it were allowed to.
  const stranger = ctx.s.beacons.find((b) => !b.optedIn && b.key !== undefined && b.kind === 'visit')!
  ctx.stranger = await register(stranger)

  const visits = ctx.visitors.filter((v) => v.beacon.kind === 'visit')
  visits.sort((a, b) => a.beacon.arriveMs - b.beacon.arriveMs)
  if (visits.length < 3) throw new Error('the scenario needs three opted-in visits')
  for (const v of visits)
    if (v.beacon.arriveMs + 2 * APPROACH_MS + v.beacon.lingerMs > ctx.s.advertisements.at(-1)!.at)
      throw new Error('every opted-in visit must end before the capture does')
  ctx.erased = visits[0]!
  ctx.revoked = visits[1]!
  return String(agent.secret)
}

/**
 * The cloud in process, the shop door provisioned, and the reader's agent started on a replay of the
 * scenario's capture, holding the cloud's allow-list. Fills `ctx`.
 */
export async function startDoor(ctx: DoorCtx): Promise<void> {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-beacon-e2e-'))
  ctx.cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: join(ctx.dir, 'cloud'),
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
      RELAIS_TS_FLUSH_MS: '20',
    }),
    pino({ level: 'silent' }),
  )
  await ctx.cloud.start()
  // Six minutes; with seed 3 the three opted-in visits overlap, and all end before the capture does.
  ctx.s = shopDoorScenario({ seed: 3, optedIn: 4, others: 40, durationMs: 6 * 60_000 })
  const capture = join(ctx.dir, 'shop-door.jsonl')
  writeCapture(capture, ctx.s)
  const secret = await provision(ctx)

  const { log, lines } = memoryLog()
  ctx.lines = lines
  // Made after the consents were granted: every event is stamped after them.
  ctx.clock = new StepClock()
  const reader = {
    id: 'ble-0',
    source: 'replay',
    replay: { file: capture },
    leaveTimeoutS: LEAVE_TIMEOUT_MS / 1000,
  }
  ctx.agent = new Agent(
    parseAgentConfig({
      agent: { id: 'door-pi' },
      broker: { url: `mqtt://127.0.0.1:${ctx.cloud.mqttPort}`, secret },
      dataDir: join(ctx.dir, 'agent'),
      beacons: [reader],
    }),
    log,
    // The source its config names (a replay of that file), on the test's clock.
    { advertisementSource: (rc, l) => createAdvertisementSource(rc, l, { replay: { clock: ctx.clock } }) },
  )
  await ctx.agent.start()
  ctx.reader = ctx.agent.beacons[0]!
  await waitFor(
    "the reader to hold the cloud's allow-list",
    async () => ctx.reader.revision !== undefined && ctx.reader.allowed === ctx.visitors.length,
  )
}
