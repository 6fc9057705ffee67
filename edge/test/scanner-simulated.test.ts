// The simulated scanner behaves like a real one: status on every change, codes on a timer or pushed,
// nothing while unplugged, nothing after stop(). And createScanSource picks the driver the config names.
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ScannerConfig } from '../src/config/schema.js'
import {
  createScanSource,
  HidScanner,
  type ScanRead,
  SerialScanner,
  SimulatedScanner,
} from '../src/drivers/scanner/index.js'

const log = pino({ level: 'silent' })

function record(s: SimulatedScanner) {
  const events: Array<[string, unknown]> = []
  for (const e of ['status', 'scan', 'warn'] as const) s.on(e, (x: unknown) => events.push([e, x]))
  return events
}

const t = suite('simulated scanner')

t('start() attaches; push() scans now; empty codes are never emitted', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 10_000 }, log, { now: () => 42 })
  const events = record(s)
  await s.start()
  assert.ok(s.push('4006381333931'))
  assert.not.ok(s.push(''))
  await s.stop()
  assert.equal(events, [
    ['status', { state: 'attached', detail: 'simulated' }],
    ['scan', { code: '4006381333931', at: 42 }],
  ])
})

t('reports an AIM symbology identifier sent in front of the code', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 10_000 }, log)
  let read: ScanRead | undefined
  s.on('scan', (r: ScanRead) => {
    read = r
  })
  await s.start()
  s.push(']E04006381333931')
  await s.stop()
  assert.is(read?.code, ']E04006381333931')
  assert.is(read?.symbology, ']E0')
})

t('unplug(): detached with the detail, no scans; plug(): attached, scans again', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 10_000 }, log, { now: () => 1 })
  await s.start()
  const events = record(s)
  s.unplug('cable pulled')
  assert.equal(s.status, { state: 'detached', detail: 'cable pulled' })
  assert.not.ok(s.push('111'))
  s.unplug('cable pulled') // no change, no event
  s.plug()
  assert.ok(s.push('222'))
  await s.stop()
  assert.equal(events, [
    ['status', { state: 'detached', detail: 'cable pulled' }],
    ['status', { state: 'attached', detail: 'simulated' }],
    ['scan', { code: '222', at: 1 }],
  ])
})

t('unplugged before start(): starts detached', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 10_000 }, log)
  s.unplug()
  const events = record(s)
  await s.start()
  await s.stop()
  assert.equal(events, [['status', { state: 'detached', detail: 'unplugged' }]])
})

t('scans the configured codes in turn, one per interval', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: ['A', 'B'], intervalMs: 10 }, log)
  const codes: string[] = []
  const three = new Promise<void>((resolve) =>
    s.on('scan', (r: ScanRead) => codes.push(r.code) === 3 && resolve()),
  )
  await s.start()
  await three
  await s.stop()
  assert.equal(codes.slice(0, 3), ['A', 'B', 'A'])
})

t('nothing is emitted after stop(), and push() says so', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: ['A'], intervalMs: 10 }, log)
  await s.start()
  await s.stop()
  const events = record(s)
  assert.not.ok(s.push('X'))
  s.unplug()
  s.plug()
  // Several intervals: a timer that survived stop() would have scanned by now.
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(events, [])
})

t('start() after stop() reports the status again', async () => {
  const s = new SimulatedScanner('scanner-1', { codes: [], intervalMs: 10_000 }, log)
  await s.start()
  await s.stop()
  const events = record(s)
  await s.start()
  await s.stop()
  assert.equal(events, [['status', { state: 'attached', detail: 'simulated' }]])
})

t('createScanSource picks the driver the config names', () => {
  const base = {
    id: 'scanner-9',
    prefix: '',
    suffix: '',
    debounceMs: 0,
    modes: {},
  } as unknown as ScannerConfig
  const sim = createScanSource({ ...base, driver: 'simulated' }, log)
  assert.instance(sim, SimulatedScanner)
  assert.is(sim.id, 'scanner-9')
  assert.equal(sim.status, { state: 'detached', detail: 'not started' })
  const serial = {
    path: '/dev/relais-scanner-1',
    baudRate: 9600,
    terminator: 'cr',
    interByteTimeoutMs: 50,
  } as const
  assert.instance(createScanSource({ ...base, driver: 'serial', serial }, log), SerialScanner)
  assert.instance(
    createScanSource({ ...base, driver: 'hid', hid: { path: '/dev/input/event0', grab: true } }, log),
    HidScanner,
  )
  assert.throws(() => createScanSource({ ...base, driver: 'hid' }, log), /needs a 'hid' section/)
})

t.run()
