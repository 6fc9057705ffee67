// Beacon readers in the agent's config: defaults filled in, every problem listed at once with its path.
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { AgentConfigError, parseAgentConfig } from '../src/config/load.js'

const base = { agent: { id: 'shop' }, broker: { url: 'mqtt://127.0.0.1:1883', secret: 's' } }
const t = suite('beacon config')

t('a reader needs only an id and a source; the rest has defaults', () => {
  const c = parseAgentConfig({ ...base, beacons: [{ id: 'ble-0', source: 'noble' }] })
  assert.equal(c.beacons[0], {
    id: 'ble-0',
    source: 'noble',
    calibration: { pathLoss: 2.5, offsetDb: 0 },
    enterRssi: -75,
    leaveRssi: -85,
    leaveTimeoutS: 30,
    minEnterSamples: 3,
    minEnterMs: 0,
    minLeaveSamples: 3,
    kalman: { processNoise: 1, measurementNoise: 9 },
    telemetryS: 60,
  })
})

t('every error is listed at once', () => {
  try {
    parseAgentConfig({
      ...base,
      scanners: [{ id: 'ble-0', driver: 'simulated' }],
      beacons: [
        { id: 'ble-0', source: 'replay', enterRssi: -90, leaveRssi: -80 },
        { id: 'ble-1', source: 'radio' },
      ],
    })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.instance(err, AgentConfigError)
    const problems = (err as AgentConfigError).problems.join('\n')
    assert.match(problems, /beacons\.1\.source/)
  }
  try {
    parseAgentConfig({
      ...base,
      scanners: [{ id: 'ble-0', driver: 'simulated' }],
      beacons: [
        { id: 'ble-0', source: 'replay', enterRssi: -90, leaveRssi: -80, calibration: { pathLoss: 2 } },
      ],
    })
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.equal((err as AgentConfigError).problems, [
      "beacons.0.id: 'ble-0' is used twice",
      "beacons.0.replay: required with source 'replay'",
      'beacons.0.leaveRssi: must be below enterRssi (-90)',
    ])
  }
})

t('the example config of hardware/devices/beacon is valid', () => {
  const file = new URL('../../hardware/devices/beacon/agent.example.json', import.meta.url)
  const c = parseAgentConfig(JSON.parse(readFileSync(file, 'utf8')))
  assert.equal(
    c.beacons.map((b) => [b.id, b.source]),
    [['ble-0', 'noble']],
  )
})

t.run()
