// The serial scanner driver against serialport's own mock binding, wrapped so that a test can unplug a
// port the way the kernel does: the pending read fails with ENXIO and serialport closes the port with a
// DisconnectedError. Stable names are symlinks in a temp dir, as udev makes them in /dev.
import { once } from 'node:events'
import { mkdtemp, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { SerialPortMock } from 'serialport'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ScannerConfig } from '../src/config/schema.js'
import {
  createScanSource,
  type ScanRead,
  SerialScanner,
  type SerialScannerConfig,
} from '../src/drivers/scanner/index.js'

const log = pino({ level: 'silent' })
const mock = SerialPortMock.binding
/** Short enough that reconnects take no noticeable time; no test depends on how long they take. */
const backoff = { initialMs: 1, maxMs: 5, jitter: 0 }

type MockPort = Awaited<ReturnType<typeof mock.open>>

interface World {
  dir: string
  link: string
  /** Makes a mock port at dir/name (a real file too, so the symlink resolves). */
  device(name: string): Promise<string>
  /** Points the stable name at a device, or removes it (udev does on unplug). */
  point(target: string | undefined): Promise<void>
  open: Map<string, { port: MockPort; unplug(): void }>
  binding: typeof mock
  scanner(config?: Partial<SerialScannerConfig>): SerialScanner
}

async function world(): Promise<World> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'relais-serial-')))
  const link = join(dir, 'relais-scanner-1')
  const open = new Map<string, { port: MockPort; unplug(): void }>()
  const binding: typeof mock = {
    ...mock,
    async open(options) {
      const port = await mock.open(options)
      const read = port.read.bind(port)
      let fail: (err: Error) => void = () => {}
      const gone = new Promise<never>((_, reject) => {
        fail = reject
      })
      gone.catch(() => {})
      port.read = (buffer, offset, length) => Promise.race([read(buffer, offset, length), gone])
      const unplug = () =>
        fail(Object.assign(new Error('ENXIO: no such device or address'), { code: 'ENXIO' }))
      open.set(options.path, { port, unplug })
      return port
    },
  }
  return {
    dir,
    link,
    open,
    binding,
    async device(name) {
      const path = join(dir, name)
      await writeFile(path, '')
      mock.createPort(path)
      return path
    },
    async point(target) {
      await unlink(link).catch(() => {})
      if (target !== undefined) await symlink(target, link)
    },
    scanner(config = {}) {
      const full: SerialScannerConfig = {
        path: link,
        baudRate: 9600,
        terminator: 'cr',
        interByteTimeoutMs: 5,
        ...config,
      }
      return new SerialScanner('scanner-1', full, log, { binding, backoff })
    },
  }
}

/** Waits for an event; fails the test rather than hang if it never comes. */
async function next<T>(source: SerialScanner, event: 'status' | 'scan' | 'warn'): Promise<T> {
  const [value] = await once(source, event, { signal: AbortSignal.timeout(5000) })
  return value as T
}

function collect(source: SerialScanner, n: number): Promise<string[]> {
  const codes: string[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${codes.length} of ${n} scans: ${codes}`)), 5000)
    source.on('scan', (s: ScanRead) => {
      codes.push(s.code)
      if (codes.length === n) {
        clearTimeout(timer)
        resolve(codes)
      }
    })
  })
}

const t = suite('serial scanner')
let w: World
let scanner: SerialScanner | undefined

t.before.each(async () => {
  w = await world()
  scanner = undefined
})
t.after.each(async () => {
  await scanner?.stop()
  await rm(w.dir, { recursive: true, force: true })
})

async function attachedScanner(
  config: Partial<SerialScannerConfig> = {},
): Promise<{ s: SerialScanner; port: MockPort }> {
  const path = await w.device('ttyACM0')
  await w.point(path)
  scanner = w.scanner(config)
  await scanner.start()
  assert.equal(scanner.status, { state: 'attached', detail: path })
  return { s: scanner, port: w.open.get(path)!.port }
}

for (const [terminator, end] of [
  ['cr', '\r'],
  ['lf', '\n'],
  ['crlf', '\r\n'],
] as const) {
  t(`reads codes ended by ${terminator}, one scan per code, terminator removed`, async () => {
    const { s, port } = await attachedScanner({ terminator })
    const scans = collect(s, 2)
    port.emitData(`4006381333931${end}ABC-123${end}`)
    assert.equal(await scans, ['4006381333931', 'ABC-123'])
  })
}

t(
  'accepts any line ending whatever is configured, and a CRLF split across reads gives no empty code',
  async () => {
    const { s, port } = await attachedScanner({ terminator: 'cr' })
    const scans = collect(s, 3)
    port.emitData('111\r')
    await new Promise((r) => setImmediate(r))
    port.emitData('\n222\n333\r\n')
    assert.equal(await scans, ['111', '222', '333'])
  },
)

t('joins a code split across chunks', async () => {
  const { s, port } = await attachedScanner()
  const scans = collect(s, 1)
  port.emitData('40063')
  await new Promise((r) => setImmediate(r))
  port.emitData('81333931\r')
  assert.equal(await scans, ['4006381333931'])
})

t('splits two codes in one chunk and skips empty lines', async () => {
  const { s, port } = await attachedScanner()
  const scans = collect(s, 2)
  port.emitData('\r\rA1\rB2\r\r')
  assert.equal(await scans, ['A1', 'B2'])
})

t("with terminator 'none' a pause ends the code, and a stray CR is not part of it", async () => {
  const { s, port } = await attachedScanner({ terminator: 'none', interByteTimeoutMs: 5 })
  const first = collect(s, 1)
  port.emitData('0123456789012')
  assert.equal(await first, ['0123456789012'])
  const second = next<ScanRead>(s, 'scan')
  port.emitData('XYZ\r')
  assert.is((await second).code, 'XYZ')
})

t('keeps the AIM symbology identifier in the code and reports it', async () => {
  const { s, port } = await attachedScanner()
  const scan = next<ScanRead>(s, 'scan')
  port.emitData(']E04006381333931\r')
  const read = await scan
  assert.is(read.code, ']E04006381333931')
  assert.is(read.symbology, ']E0')
})

t('warns when the scanner sends no terminator at all, and drops the runaway data', async () => {
  const { s, port } = await attachedScanner({ terminator: 'cr' })
  const warn = next<string>(s, 'warn')
  port.emitData('9'.repeat(1500))
  assert.match(await warn, /without CR or LF/)
  const scan = next<ScanRead>(s, 'scan')
  port.emitData('\rOK\r')
  assert.is((await scan).code, 'OK')
})

t('unplugged: detached, then attached again when it comes back, and scans flow again', async () => {
  const { s } = await attachedScanner()
  const path = join(w.dir, 'ttyACM0')
  const detached = next<{ state: string; detail: string }>(s, 'status')
  w.open.get(path)!.unplug()
  assert.equal(await detached, { state: 'detached', detail: 'unplugged' })
  // The port is still there (a USB reset, not a removal): the next attempt finds it.
  const back = await next<{ state: string; detail: string }>(s, 'status')
  assert.equal(back, { state: 'attached', detail: path })
  const scan = next<ScanRead>(s, 'scan')
  w.open.get(path)!.port.emitData('AFTER\r')
  assert.is((await scan).code, 'AFTER')
})

t('re-resolves the stable name on every reconnect, so a re-enumerated scanner is found', async () => {
  const { s } = await attachedScanner()
  const acm0 = join(w.dir, 'ttyACM0')
  const statuses: Array<{ state: string; detail?: string }> = []
  s.on('status', (st) => statuses.push(st))
  await w.point(undefined)
  const gone = next(s, 'status')
  w.open.get(acm0)!.unplug()
  await gone
  // While the link is missing the driver keeps retrying and says why.
  while (statuses.at(-1)?.detail?.startsWith('not found') !== true) await next(s, 'status')
  const acm1 = await w.device('ttyACM1')
  const attached = next<{ state: string; detail: string }>(s, 'status')
  await w.point(acm1)
  assert.equal(await attached, { state: 'attached', detail: acm1 })
  assert.equal(statuses[0], { state: 'detached', detail: 'unplugged' })
  assert.equal(statuses[1], { state: 'detached', detail: `not found: ${w.link}` })
  const scan = next<ScanRead>(s, 'scan')
  w.open.get(acm1)!.port.emitData('NEWPORT\r')
  assert.is((await scan).code, 'NEWPORT')
})

t('start() resolves with the scanner absent, reports why, and attaches when it appears', async () => {
  scanner = w.scanner()
  await scanner.start()
  assert.equal(scanner.status, { state: 'detached', detail: `not found: ${w.link}` })
  const path = await w.device('ttyACM3')
  const attached = next<{ state: string; detail: string }>(scanner, 'status')
  await w.point(path)
  assert.equal(await attached, { state: 'attached', detail: path })
})

t('stop() closes the port and cancels the retries: no event follows it', async () => {
  scanner = w.scanner()
  await scanner.start()
  const after: unknown[] = []
  await scanner.stop()
  for (const e of ['status', 'scan', 'warn'] as const) scanner.on(e, (x: unknown) => after.push(x))
  const path = await w.device('ttyACM4')
  await w.point(path)
  // Many retry periods (1-5 ms); a retry that survived stop() would have attached by now.
  await new Promise((r) => setTimeout(r, 100))
  assert.equal(after, [])
  assert.is(w.open.has(path), false)
})

t('stop() after attaching releases the port so it can be opened again', async () => {
  const { s } = await attachedScanner()
  await s.stop()
  const again = w.scanner()
  scanner = again
  await again.start()
  assert.is(again.status.state, 'attached')
})

t('createScanSource builds the serial driver from the config, and refuses a missing section', async () => {
  const base = {
    id: 'scanner-1',
    prefix: '',
    suffix: '',
    debounceMs: 0,
    modes: {},
  } as unknown as ScannerConfig
  const source = createScanSource(
    {
      ...base,
      driver: 'serial',
      serial: { path: w.link, baudRate: 9600, terminator: 'cr', interByteTimeoutMs: 50 },
    },
    log,
  )
  assert.instance(source, SerialScanner)
  assert.is(source.id, 'scanner-1')
  assert.throws(() => createScanSource({ ...base, driver: 'serial' }, log), /needs a 'serial' section/)
})

t.run()
