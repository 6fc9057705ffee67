// The Home Assistant bridge is off unless asked for: with RELAIS_HA_DISCOVERY unset a full fleet births,
// scans, presses and enters, HA comes online, and nothing appears under homeassistant/ or relais/ha/. Its
// settings are validated with the rest of the configuration.
import { topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, loadConfig } from '../src/app/config.js'
import { type HaFleet, NUTELLA, startHaFleet } from './support/ha-fleet.js'
import { enterEnvelope, KEY_A, send } from './support/presence.js'

const off = suite<{ f: HaFleet }>('Home Assistant bridge switched off')
off.before(async (ctx) => {
  ctx.f = await startHaFleet({})
})
off.after(async (ctx) => ctx.f.tc.stop())

off('nothing is published for Home Assistant', async ({ f }) => {
  assert.is(f.tc.cloud.homeAssistant, undefined)
  assert.is((await f.scanner.scan(NUTELLA)).ack.outcome, 'added')
  assert.is((await send(f.reader.device, enterEnvelope(f.reader.device, KEY_A, 'shop'))).outcome, 'recorded')
  // HA's birth, which would ask for every config; it is also the last message HA sees (its own).
  await f.ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 })
  await f.ha.waitTopic('homeassistant/status')
  const seen = f.ha.log.map((m) => m.topic).filter((x) => !x.startsWith('relais/v1/'))
  assert.equal(seen, ['homeassistant/status'])
  assert.ok(f.ha.latest.has(topics.status('kitchen')), 'the agents themselves are still heard')
})

const config = suite('Home Assistant settings')

config('off by default, prefix homeassistant', () => {
  const c = loadConfig({})
  assert.equal(c.homeAssistant, { discovery: false, prefix: 'homeassistant' })
  assert.equal(loadConfig({ RELAIS_HA_DISCOVERY: 'on', RELAIS_HA_PREFIX: 'ha/discovery' }).homeAssistant, {
    discovery: true,
    prefix: 'ha/discovery',
  })
})

config('a bad switch or prefix is refused, naming its variable', () => {
  for (const [env, variable] of [
    [{ RELAIS_HA_DISCOVERY: 'maybe' }, 'RELAIS_HA_DISCOVERY=maybe'],
    [{ RELAIS_HA_PREFIX: 'ha/#' }, 'RELAIS_HA_PREFIX=ha/#'],
    [{ RELAIS_HA_PREFIX: '$SYS' }, 'RELAIS_HA_PREFIX=$SYS'],
    [{ RELAIS_HA_PREFIX: 'relais/ha' }, 'RELAIS_HA_PREFIX=relais/ha'],
    [{ RELAIS_HA_PREFIX: 'ha//x' }, 'RELAIS_HA_PREFIX=ha//x'],
  ] as const) {
    try {
      loadConfig(env)
      assert.unreachable(`${variable} accepted`)
    } catch (err) {
      assert.instance(err, ConfigError)
      assert.ok(
        (err as ConfigError).problems.some((p) => p.startsWith(variable)),
        variable,
      )
    }
  }
})

off.run()
config.run()
