// Simulators run the real edge agent with simulated scanners: a few households scanning against an
// in-process cloud, every scan acked, every outbox emptied, the lists filled with real product names.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Cloud } from '../../cloud/src/app/cloud.js'
import { loadConfig } from '../../cloud/src/app/config.js'
import { importCatalogue } from '../../cloud/src/catalogue/index.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { createHousehold } from '../../cloud/src/domains/households/households.js'
import { AgentFleet, readSampleCodes } from '../../simulators/src/index.js'
import { waitFor } from '../testkit/services.js'

const sample = join(
  fileURLToPath(import.meta.url),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'data',
  'off-sample.jsonl',
)
const t = suite('simulated households')

t('four households scan a realistic mix; every scan is acked and lands on its own list', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-sim-'))
  const log = pino({ level: 'silent' })
  const cloud = new Cloud(
    loadConfig({
      RELAIS_DATA_DIR: join(dir, 'cloud'),
      RELAIS_MQTT_PORT: '0',
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: '0',
      RELAIS_HTTP_HOST: '127.0.0.1',
    }),
    log,
  )
  await cloud.start()
  let fleet: AgentFleet | undefined
  try {
    await importCatalogue({ db: cloud.db, file: sample })
    const agents = []
    for (let i = 0; i < 4; i++) {
      await createHousehold(cloud.db, { id: `home-${i}` })
      const a = await addAgent(cloud.db, { id: `kitchen-${i}`, householdId: `home-${i}` })
      agents.push({ agent: a.username, secret: a.secret })
    }
    const codes = readSampleCodes(sample, 40)
    assert.ok(codes.length >= 40, 'the Open Food Facts sample is there')
    fleet = new AgentFleet({
      brokerUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`,
      dataDir: join(dir, 'agents'),
      agents,
      log,
      scenario: { codes, meanPauseMs: 40 },
    })
    await fleet.start()
    await waitFor(
      'each agent to have 25 scans acked',
      async () => fleet!.agents.every((a) => a.agent.sender.stats.acked >= 25),
      60_000,
    )
    await fleet.stop()
    for (const a of fleet.agents)
      assert.is(a.agent.outbox.depth, 0, `${a.agent.config.agent.id}: outbox empty`)
    fleet = undefined
    await cloud.ingest.drain()
    const perHousehold = await cloud.db
      .selectFrom('items')
      .innerJoin('lists', 'lists.id', 'items.list_id')
      .select(['lists.household_id as household', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('lists.household_id')
      .execute()
    assert.is(perHousehold.length, 4, 'every household has a list of its own')
    const named = await cloud.db.selectFrom('items').select('name').where('name', 'is not', null).execute()
    assert.ok(named.length > 0, 'products from the catalogue are named')
  } finally {
    await fleet?.stop()
    await cloud.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

t.run()
