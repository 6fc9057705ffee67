// The shop-door part of `npm start`: a zone `shop-door`, a beacon reader agent placed in it (a real edge
// agent: outbox, link, beacon reader feature, with a simulated BLE adapter), a few demo members who
// opted in (a beacon each, a presence consent for the door), and the shop-door scenario played into the
// adapter in a loop: those members visit among forty other beacons that never consented, which the
// reader drops. Tokens for the staff page and one member's page. Provisioned once; the credentials are
// kept in the data dir so a restart reuses them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cloud } from '../cloud/src/app/cloud.js'
import { addAgent } from '../cloud/src/domains/agents/agents.js'
import { grantConsent } from '../cloud/src/domains/presence/consents.js'
import { addBeacon, createMember } from '../cloud/src/domains/presence/members.js'
import { addZone } from '../cloud/src/domains/presence/zones.js'
import { issueToken } from '../cloud/src/domains/tokens/tokens.js'
import { type Clock, realClock } from '../edge/src/drivers/beacon/clock.js'
import { Agent, type Logger, parseAgentConfig, SimulatedAdvertisementSource } from '../edge/src/index.js'
import {
  playShopDoor,
  type ShopDoorScenario,
  type SimBeacon,
  shopDoorScenario,
} from '../simulators/src/index.js'

const ZONE = 'shop-door'
const AGENT = 'demo-door'
/** Opted-in beacons of the scenario: three visit the shop, the fourth lingers at the edge of range. */
const OPTED_IN = 4
/** Other beacons walking past or lingering in each afternoon: phones, tags, other shops' beacons. */
const OTHERS = 40
/** How long each played afternoon lasts (ms). */
const AFTERNOON_MS = 5 * 60_000

interface Saved {
  zone: string
  zoneToken: string
  agent: string
  secret: string
  /** Every demo member; the first one's token is printed. */
  members: string[]
  member: string
  memberToken: string
}

export interface DoorDemo extends Saved {
  opted: number
  others: number
  /** The reader's running agent, for tests. */
  reader: Agent
  stop(): Promise<void>
}

async function provision(cloud: Cloud): Promise<Saved> {
  const db = cloud.db
  await addZone(db, { id: ZONE, name: 'Shop door' })
  // Placed in the zone with it: its reader ble-0 stands at the door.
  const a = await addAgent(db, { id: AGENT, zoneId: ZONE })
  const members: Array<{ id: string; token: string; key: string }> = []
  // The opted-in keys are the same in every afternoon the scenario plays (only the others change).
  const first = afternoon(1)
  for (const key of first.allow) {
    const m = await createMember(db, { ref: `demo-card-${members.length + 1}` })
    await addBeacon(db, m.member.id, key)
    await grantConsent(db, { member: m.member.id, zone: ZONE, by: 'ops:demo' })
    members.push({ id: m.member.id, token: m.token, key })
  }
  const zoneToken = (await issueToken(db, { scope: 'zone', zoneId: ZONE })).token
  // The page printed is the first afternoon's first visitor's: it shows a stay within a minute.
  const shown = members.find((m) => m.key === firstVisitor(first).key)!
  return {
    zone: ZONE,
    zoneToken,
    agent: a.username,
    secret: a.secret,
    members: members.map((m) => m.id),
    member: shown.id,
    memberToken: shown.token,
  }
}

function firstVisitor(s: ShopDoorScenario): SimBeacon {
  const visits = s.beacons.filter((b) => b.optedIn && b.kind === 'visit')
  return visits.reduce((a, b) => (b.arriveMs < a.arriveMs ? b : a))
}

/**
 * One afternoon, started a few seconds before its first opted-in visitor walks in, so the staff page
 * shows someone within a minute of `npm start` rather than whenever the seed says.
 */
function afternoon(seed: number): ShopDoorScenario {
  const s = shopDoorScenario({ seed, optedIn: OPTED_IN, others: OTHERS, durationMs: AFTERNOON_MS })
  const skip = Math.max(0, firstVisitor(s).arriveMs - 5_000)
  return {
    ...s,
    advertisements: s.advertisements.filter((a) => a.at >= skip).map((a) => ({ ...a, at: a.at - skip })),
  }
}

export async function startDoorDemo(
  cloud: Cloud,
  o: { dataDir: string; log: Logger; clock?: Clock },
): Promise<DoorDemo> {
  const file = join(o.dataDir, 'demo-door.json')
  let saved: Saved
  if (existsSync(file)) {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Saved
  } else {
    saved = await provision(cloud)
    writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 })
    // Members and consents were written directly: push the reader its list now, not at the reconcile.
    await cloud.allowLists?.refresh()
  }
  const clock = o.clock ?? realClock
  const log = o.log.child({ agent: saved.agent })
  const source = new SimulatedAdvertisementSource('ble-0', log, { now: () => clock.now() })
  const agent = new Agent(
    parseAgentConfig({
      agent: { id: saved.agent },
      broker: { url: `mqtt://127.0.0.1:${cloud.mqttPort}`, secret: saved.secret },
      dataDir: join(o.dataDir, 'agents', saved.agent),
      beacons: [{ id: 'ble-0', source: 'simulated' }],
      feedback: { kind: 'log' },
      health: { intervalS: 30 },
    }),
    log,
    { advertisementSource: () => source },
  )
  await agent.start()

  // Afternoon after afternoon, each with other passers-by (the seed), the same opted-in customers.
  let seed = 1
  let stopPlay = () => {}
  let timer: unknown
  let running = true
  const next = () => {
    if (!running) return
    const s = afternoon(seed++)
    stopPlay = playShopDoor(source, s, clock)
    timer = clock.setTimeout(next, s.advertisements.at(-1)!.at + 10_000)
  }
  next()

  return {
    ...saved,
    opted: saved.members.length,
    others: OTHERS,
    reader: agent,
    stop: async () => {
      running = false
      clock.clearTimeout(timer)
      stopPlay()
      await agent.stop({ drainMs: 1000 })
    },
  }
}
