// The Home Assistant bridge's discovery configs, as a client subscribed like HA (`homeassistant/#`) sees
// them: one per entity of a scanner agent, a button agent and a presence zone, valid JSON with unique
// ids and HA's device block, available while the agent's own retained status says online, published again
// at HA's birth, and cleared when an agent is revoked.
import { topics } from '@relais/hardware'
import * as assert from 'uvu/assert'
import { revokeAgent } from '../src/domains/agents/agents.js'
import { issueToken } from '../src/domains/tokens/tokens.js'
import { bornAgent, evalTemplate } from './support/ha.js'
import { ALL_CONFIGS, CONFIG, haSuite, NUTELLA } from './support/ha-fleet.js'

const t = haSuite('Home Assistant discovery')

type Config = Record<string, unknown> & {
  unique_id: string
  device?: Record<string, unknown>
  availability?: Array<{
    topic: string
    value_template?: string
    payload_available: string
    payload_not_available: string
  }>
}

const waitAll = (f: Parameters<Parameters<typeof t>[1]>[0]['f']) =>
  f.ha.waitFor(
    () => (ALL_CONFIGS.every((c) => f.ha.configs().has(c)) ? f.ha.configs() : undefined),
    'configs',
  )

t('each scanner, button, zone and agent gets its configs, valid JSON with unique ids', async ({ f }) => {
  const configs = await waitAll(f)
  for (const [topic, c] of configs) {
    assert.match(
      topic,
      /^homeassistant\/(sensor|binary_sensor|device_automation)\/relais_[a-z0-9_-]+\/[a-z0-9_-]+\/config$/,
    )
    assert.type((c as Config).unique_id ?? c.type, 'string', topic)
    assert.ok(c.device !== undefined, `${topic} has a device block`)
  }
  const ids = [...configs.values()].map((c) => (c as Config).unique_id)
  assert.is(new Set(ids).size, ids.length, 'unique_ids are unique')
  for (const retained of f.ha.log.filter((m) => m.topic.endsWith('/config')))
    assert.ok(retained.payload === '' || JSON.parse(retained.payload), retained.topic)
})

t('a scanner is a device of its own, reached via its agent, with the agent firmware', async ({ f }) => {
  const c = (await waitAll(f)).get(CONFIG.lastScan) as Config
  assert.equal(c.device, {
    identifiers: ['relais_kitchen_scanner-1'],
    name: 'kitchen scanner-1',
    manufacturer: 'Relais',
    model: 'Fridge scanner',
    via_device: 'relais_kitchen',
    sw_version: '1.4.2',
  })
  const agent = f.ha.configs().get(CONFIG.online('kitchen')) as Config
  assert.equal((agent.device as { identifiers: string[] }).identifiers, ['relais_kitchen'])
  assert.is((agent.device as { model: string }).model, 'Fridge scanner agent')
  assert.is(c.state_topic, 'relais/ha/agents/kitchen/scanner-1/last_scan')
})

t("device entities are available while the agent's retained status says online", async ({ f }) => {
  const configs = await waitAll(f)
  for (const topic of [CONFIG.lastScan, CONFIG.lastScanAt, CONFIG.pickup]) {
    const c = configs.get(topic) as Config
    const agent = topic.includes('kitchen') ? 'kitchen' : 'letterbox'
    assert.is(c.availability_mode, 'all')
    const own = c.availability!.find((a) => a.topic.startsWith('relais/v1/'))!
    assert.is(own.topic, topics.status(agent))
    const status = await f.ha.waitTopic(topics.status(agent))
    assert.is(evalTemplate(own.value_template!, status), own.payload_available)
    const bridge = c.availability!.find((a) => a.topic === 'relais/ha/bridge/status')!
    assert.is(await f.ha.waitTopic(bridge.topic), bridge.payload_available)
  }
  const online = configs.get(CONFIG.online('kitchen')) as Config
  const status = f.ha.latest.get(topics.status('kitchen'))!
  assert.is(online.state_topic, topics.status('kitchen'))
  assert.is(evalTemplate(online.value_template as string, status), online.payload_on)
})

t('a button gets single, double and long press triggers on the topic the bridge fires', async ({ f }) => {
  const configs = await waitAll(f)
  const triggers = (['single', 'double', 'long'] as const).map((p) => configs.get(CONFIG.trigger(p))!)
  assert.equal(
    triggers.map((c) => [c.automation_type, c.type, c.subtype, c.topic, c.payload]),
    [
      ['trigger', 'button_short_press', 'button_1', 'relais/ha/agents/letterbox/button/press', 'single'],
      ['trigger', 'button_double_press', 'button_1', 'relais/ha/agents/letterbox/button/press', 'double'],
      ['trigger', 'button_long_press', 'button_1', 'relais/ha/agents/letterbox/button/press', 'long'],
    ],
  )
  const pickup = configs.get(CONFIG.pickup) as Config
  const state = await f.ha.waitTopic(pickup.state_topic as string)
  assert.is(evalTemplate(pickup.value_template as string, state), 'none', 'no request yet')
})

t('a zone gets a count and an occupancy sensor, and no identities', async ({ f }) => {
  const configs = await waitAll(f)
  const count = configs.get(CONFIG.zoneCount) as Config
  const occupied = configs.get(CONFIG.zoneOccupied) as Config
  assert.is(count.state_topic, 'relais/ha/zones/shop/presence')
  assert.is(occupied.device_class, 'occupancy')
  const state = await f.ha.waitTopic(count.state_topic as string)
  assert.equal(JSON.parse(state), { count: 0, occupied: 'OFF' })
  assert.is(evalTemplate(count.value_template as string, state), 0)
  assert.is(evalTemplate(occupied.value_template as string, state), occupied.payload_off)
  assert.equal((count.device as { identifiers: string[] }).identifiers, ['relais_zone_shop'])
})

t('an agent born later appears without waiting for the periodic sync', async ({ f }) => {
  const pantry = await f.tc.agent('pantry', 'home')
  await bornAgent(f.tc, 'pantry', pantry.secret, [{ id: 'scanner-2', kind: 'scanner' }])
  const topic = 'homeassistant/sensor/relais_pantry/scanner-2_last_scan/config'
  const c = JSON.parse(await f.ha.waitTopic(topic)) as Config
  assert.is(c.unique_id, 'relais_pantry_scanner-2_last_scan')
})

t('a device its agent no longer names at birth loses its entities; a new one gains them', async ({ f }) => {
  const cellar = await f.tc.agent('cellar', 'home')
  const old = 'homeassistant/sensor/relais_cellar/scanner-a_last_scan/config'
  const next = 'homeassistant/sensor/relais_cellar/scanner-b_last_scan/config'
  const first = await bornAgent(f.tc, 'cellar', cellar.secret, [{ id: 'scanner-a', kind: 'scanner' }])
  await f.ha.waitTopic(old, (p) => p !== '')
  await first.endAsync()
  await bornAgent(f.tc, 'cellar', cellar.secret, [{ id: 'scanner-b', kind: 'scanner' }])
  await f.ha.waitTopic(next, (p) => p !== '')
  await f.ha.waitTopic(old, (p) => p === '')
  assert.ok(f.ha.configs().has(CONFIG.online('cellar')), 'the agent itself stays')
})

t("Home Assistant's birth message gets every config published again", async ({ f }) => {
  await waitAll(f)
  const from = f.ha.log.length
  await f.ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 })
  await f.ha.waitFor(() => {
    const again = new Set(f.ha.log.slice(from).map((m) => m.topic))
    return ALL_CONFIGS.every((c) => again.has(c)) ? true : undefined
  }, 'every config again')
})

t('an agent revoked through the HTTP API leaves Home Assistant without waiting for a sync', async ({ f }) => {
  // Never connected: no will, no status change, only the revoke itself can tell the bridge. The sync
  // resolves once every run asked for so far is done: nothing else is pending when the revoke comes.
  await f.tc.agent('attic', 'home')
  await f.tc.cloud.homeAssistant!.sync()
  await f.ha.waitTopic(CONFIG.online('attic'), (p) => p !== '')
  const { token } = await issueToken(f.tc.cloud.db, { scope: 'ops' })
  const r = await f.tc.cloud.app.inject({
    method: 'DELETE',
    url: '/api/agents/attic',
    headers: { authorization: `Bearer ${token}` },
  })
  assert.is(r.statusCode, 200)
  await f.ha.waitTopic(CONFIG.online('attic'), (p) => p === '')
})

t("a revoked agent's configs and states are cleared with empty retained payloads", async ({ f }) => {
  await waitAll(f)
  const scan = await f.scanner.scan(NUTELLA)
  assert.is(scan.ack.outcome, 'added')
  await f.ha.waitTopic('relais/ha/agents/kitchen/scanner-1/last_scan')
  await revokeAgent(f.tc.cloud.db, 'kitchen')
  await f.tc.cloud.homeAssistant!.sync()
  const cleared = [CONFIG.online('kitchen'), CONFIG.lastScan, CONFIG.lastScanAt]
  for (const topic of [...cleared, 'relais/ha/agents/kitchen/scanner-1/last_scan'])
    await f.ha.waitTopic(topic, (p) => p === '')
  for (const topic of ALL_CONFIGS.filter((c) => !cleared.includes(c)))
    assert.ok(f.ha.configs().has(topic), `${topic} stays`)
})

t('a clean stop says the bridge is offline, so HA shows its entities unavailable', async ({ f }) => {
  const c = JSON.parse(await f.ha.waitTopic(CONFIG.zoneCount)) as Config
  const bridge = c.availability!.find((a) => a.topic === 'relais/ha/bridge/status')!
  await f.tc.cloud.homeAssistant!.stop()
  await f.ha.waitTopic(bridge.topic, (p) => p === 'offline')
  assert.is(bridge.payload_not_available, 'offline')
})

t.run()
