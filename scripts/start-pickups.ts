// The pickups half of `npm start`: a depot, a courier on duty all day (so the demo round is today's
// whenever it runs), a few letterbox sites in Paris, each with a real edge agent and a simulated button,
// pressed now and then (pickupDemoScenario), and tokens for the courier's page and one site's page.
// Provisioned once; the credentials are kept in the data dir so a restart reuses them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Cloud } from '../cloud/src/app/cloud.js'
import { addAgent } from '../cloud/src/domains/agents/agents.js'
import { assignSiteCourier, createCourier } from '../cloud/src/domains/couriers/couriers.js'
import { createDepot } from '../cloud/src/domains/depots/depots.js'
import { createSite } from '../cloud/src/domains/sites/sites.js'
import { issueToken } from '../cloud/src/domains/tokens/tokens.js'
import type { Logger } from '../edge/src/index.js'
import { PARIS_DEPOT, parisSites, pickupDemoScenario, SimulatedAgent } from '../simulators/src/index.js'

const SITES = 6
const COURIER = 'demo-courier'

interface Saved {
  courier: string
  courierToken: string
  site: string
  siteToken: string
  agents: Array<{ agent: string; secret: string }>
}

export interface PickupDemo extends Saved {
  buttons: number
  stop(): Promise<void>
}

async function provision(cloud: Cloud): Promise<Saved> {
  const db = cloud.db
  await createDepot(db, PARIS_DEPOT)
  await createCourier(db, {
    id: COURIER,
    depotId: PARIS_DEPOT.id,
    name: 'Demo courier',
    shift: '00:00-24:00',
  })
  const agents = []
  const sites = parisSites(SITES, 11, 'demo-site')
  for (const [k, s] of sites.entries()) {
    await createSite(db, s)
    await assignSiteCourier(db, s.id, COURIER)
    const a = await addAgent(db, { id: `demo-letterbox-${k}`, siteId: s.id })
    agents.push({ agent: a.username, secret: a.secret })
  }
  const courierToken = (await issueToken(db, { scope: 'courier', courierId: COURIER })).token
  const siteToken = (await issueToken(db, { scope: 'site', siteId: sites[0]!.id })).token
  return { courier: COURIER, courierToken, site: sites[0]!.id, siteToken, agents }
}

export async function startPickupDemo(
  cloud: Cloud,
  o: { dataDir: string; log: Logger; meanPauseMs: number },
): Promise<PickupDemo> {
  const file = join(o.dataDir, 'demo-pickups.json')
  let saved: Saved
  if (existsSync(file)) {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Saved
  } else {
    saved = await provision(cloud)
    writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 })
  }
  const agents = saved.agents.map(
    (a) =>
      new SimulatedAgent(
        { ...a, buttons: ['button'] },
        {
          brokerUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`,
          dataDir: join(o.dataDir, 'agents'),
          agents: [],
          log: o.log,
        },
      ),
  )
  for (const a of agents) await a.start()

  let timer: NodeJS.Timeout | undefined
  let running = true
  const steps = pickupDemoScenario({ buttons: agents.length, meanPauseMs: o.meanPauseMs })
  const next = () => {
    if (!running) return
    const step = steps.next().value!
    timer = setTimeout(() => {
      agents[step.button]!.press(step.press)
      next()
    }, step.pauseMs)
  }
  next()

  return {
    ...saved,
    buttons: agents.length,
    stop: async () => {
      running = false
      clearTimeout(timer)
      await Promise.all(agents.map((a) => a.stop()))
    },
  }
}
