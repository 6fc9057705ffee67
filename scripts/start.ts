// `npm start`: the whole system on embedded defaults. The cloud (Aedes, SQLite, embedded time series),
// a demo household with its API token, the Open Food Facts sample in the catalogue, and a real edge
// agent with a simulated fridge scanner scanning now and then. Beside it, pickups: a depot, a courier on
// duty all day, a few letterbox sites in Paris each with a real edge agent and a simulated button that
// is pressed now and then, and the courier's and one site's page. And a shop door: a beacon reader agent
// in zone `shop-door` hearing a few opted-in members among many other beacons, with the staff page and
// one member's page. And the ops page over all of them. Credentials are kept in the data dir so a
// restart reuses them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cloud } from '../cloud/src/app/cloud.js'
import { loadConfig } from '../cloud/src/app/config.js'
import { importCatalogue } from '../cloud/src/catalogue/index.js'
import { addAgent } from '../cloud/src/domains/agents/agents.js'
import { createHousehold } from '../cloud/src/domains/households/households.js'
import { createLogger } from '../edge/src/index.js'
import { readSampleCodes, SimulatedAgent } from '../simulators/src/index.js'
import { type DoorDemo, startDoorDemo } from './start-door.js'
import { demoOpsToken } from './start-ops.js'
import { type PickupDemo, startPickupDemo } from './start-pickups.js'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const sample = join(root, '..', 'shared', 'data', 'off-sample.jsonl')

interface Demo {
  household: string
  token: string
  agent: string
  secret: string
}

async function main(): Promise<void> {
  // Loopback unless told otherwise: the demo's devices run in this process.
  const config = loadConfig({ RELAIS_MQTT_HOST: '127.0.0.1', RELAIS_HTTP_HOST: '127.0.0.1', ...process.env })
  const cloud = new Cloud(config)
  await cloud.start()

  const demoFile = join(config.dataDir, 'demo.json')
  let demo: Demo
  if (existsSync(demoFile)) {
    demo = JSON.parse(readFileSync(demoFile, 'utf8')) as Demo
  } else {
    const h = await createHousehold(cloud.db, { id: 'demo', name: 'Demo household' })
    const a = await addAgent(cloud.db, { id: 'demo-kitchen', householdId: 'demo' })
    demo = { household: 'demo', token: h.token, agent: a.username, secret: a.secret }
    writeFileSync(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 })
    if (existsSync(sample)) {
      const r = await importCatalogue({ db: cloud.db, file: sample })
      cloud.log.info({ imported: r.imported, skipped: r.skipped }, 'demo catalogue imported')
    }
  }

  // The agents' own JSON logs would drown the cloud's; their warnings still show.
  const agentLog = createLogger(process.env.RELAIS_AGENT_LOG_LEVEL ?? 'warn')
  // A real edge agent (outbox, link, scanner feature) with a simulated scanner, following a household
  // scenario over the sample's products.
  const codes = readSampleCodes(sample, 40)
  const scanner = new SimulatedAgent(
    { agent: demo.agent, secret: demo.secret },
    {
      brokerUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`,
      dataDir: join(config.dataDir, 'agents'),
      agents: [],
      log: agentLog,
    },
  )
  await scanner.start({
    codes: codes.length > 0 ? codes : ['3017620422003', '5449000000996', '7622210449283'],
    meanPauseMs: Number(process.env.RELAIS_DEMO_SCAN_MS ?? 8000),
  })

  const pickups: PickupDemo = await startPickupDemo(cloud, {
    dataDir: config.dataDir,
    log: agentLog,
    meanPauseMs: Number(process.env.RELAIS_DEMO_PRESS_MS ?? 20_000),
  })
  const door: DoorDemo = await startDoorDemo(cloud, { dataDir: config.dataDir, log: agentLog })

  const opsToken = await demoOpsToken(cloud, config.dataDir)

  const base = `http://127.0.0.1:${cloud.httpPort}`
  process.stdout.write(
    [
      '',
      'Relais is running (Ctrl-C to stop).',
      `  MQTT broker:     mqtt://127.0.0.1:${cloud.mqttPort}`,
      `  Household page:  ${base}/h/${demo.household}#token=${demo.token}`,
      `  Shopping list:   ${base}/api/households/${demo.household}/list`,
      `  Unknown inbox:   ${base}/api/households/${demo.household}/unknown`,
      `  Household token: ${demo.token}`,
      `  Try: curl -H 'Authorization: Bearer ${demo.token}' ${base}/api/households/${demo.household}/list`,
      `  A simulated scanner (agent ${demo.agent}) scans a product every few seconds.`,
      '',
      `  Courier page:    ${base}/c/${pickups.courier}#token=${pickups.courierToken}`,
      `  Site page:       ${base}/s/${pickups.site}#token=${pickups.siteToken}`,
      `  Courier round:   ${base}/api/couriers/${pickups.courier}/round (Bearer ${pickups.courierToken})`,
      `  ${pickups.buttons} simulated pickup buttons at sites in Paris are pressed now and then; the courier's`,
      '  page marks stops collected and each button shows it.',
      '',
      `  Staff page:      ${base}/z/${door.zone}#token=${door.zoneToken}`,
      `  Member page:     ${base}/m/${door.member}#token=${door.memberToken}`,
      `  Who is present:  ${base}/api/zones/${door.zone}/present (Bearer ${door.zoneToken})`,
      `  A simulated beacon reader at the shop door hears ${door.opted} customers who opted in among ${door.others}`,
      '  other beacons; only the opted-in ones reach the staff page, and each can withdraw on their page.',
      '',
      `  Ops page:        ${base}/ops#token=${opsToken}`,
      '  Every agent above, its state, devices, alerts, health charts and timeline; identify, config push.',
      '',
    ].join('\n'),
  )

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await scanner.stop()
    await pickups.stop()
    await door.stop()
    await cloud.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
}

main().catch((err: unknown) => {
  process.stderr.write(`relais: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
