// HID keyboard scanners: input_event records built by hand in both layouts (16 bytes on 32-bit, 24 on
// 64-bit), decoded with Shift, fed to the driver through a PassThrough standing in for /dev/input/event*,
// and once through a real file to cover the default open.
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type DeviceState,
  EV_KEY,
  EV_MSC,
  EV_SYN,
  type EventDevice,
  encodeInputEvent,
  HidScanner,
  type HidScannerConfig,
  KeyDecoder,
  parseInputEvent,
  RecordSplitter,
  recordSizeFor,
  type ScanRead,
} from '../src/drivers/scanner/index.js'

const log = pino({ level: 'silent' })
const backoff = { initialMs: 1, maxMs: 5, jitter: 0 }

// Key codes from linux/input-event-codes.h, written out here so the test does not trust the keymap.
const KEY_LEFTSHIFT = 42
const KEY_RIGHTSHIFT = 54
const KEY_ENTER = 28
const KEY_KPENTER = 96
const KEY_TAB = 15
const KEY: Record<string, number> = { '-': 12, '.': 52, '/': 53, ' ': 57 }
for (const [i, d] of [...'1234567890'].entries()) KEY[d] = 2 + i
for (const [row, first] of [
  ['qwertyuiop', 16],
  ['asdfghjkl', 30],
  ['zxcvbnm', 44],
] as const)
  for (const [i, c] of [...row].entries()) KEY[c] = first + i

type Ev = [type: number, code: number, value: number]
const press = (code: number): Ev[] => [
  [EV_MSC, 4, 0x70000 + code], // MSC_SCAN, which a real keyboard sends before the key
  [EV_KEY, code, 1],
  [EV_SYN, 0, 0],
]
const release = (code: number): Ev[] => [
  [EV_KEY, code, 0],
  [EV_SYN, 0, 0],
]
const tap = (code: number): Ev[] => [...press(code), ...release(code)]

/** What a scanner types for `text`: Shift held around upper-case letters, then `end`. */
function typed(text: string, end = KEY_ENTER, shift = KEY_LEFTSHIFT): Ev[] {
  const out: Ev[] = []
  for (const ch of text) {
    const lower = ch.toLowerCase()
    if (ch !== lower) out.push(...press(shift), ...tap(KEY[lower]!), ...release(shift))
    else out.push(...tap(KEY[ch]!))
  }
  return [...out, ...tap(end)]
}

function records(evs: Ev[], size: 16 | 24): Buffer {
  return Buffer.concat(
    evs.map(([type, code, value]) =>
      encodeInputEvent({ timeMs: 1_700_000_000_123, type, code, value }, size),
    ),
  )
}

function decodeAll(evs: Ev[]): string[] {
  const d = new KeyDecoder()
  const out: string[] = []
  for (const [type, code, value] of evs) {
    const c = d.feed({ timeMs: 0, type, code, value })
    if (c !== undefined) out.push(c)
  }
  return out
}

const k = suite('hid keymap and records')

k('record size follows the architecture: 24 bytes on 64-bit, 16 on 32-bit', () => {
  assert.equal(
    ['x64', 'arm64', 'arm', 'ia32'].map((a) => recordSizeFor(a)),
    [24, 24, 16, 16],
  )
})

for (const size of [16, 24] as const) {
  k(`parses ${size}-byte records: time, type, code, signed value`, () => {
    const buf = encodeInputEvent({ timeMs: 1_700_000_000_123, type: EV_KEY, code: 30, value: -1 }, size)
    assert.is(buf.length, size)
    assert.equal(parseInputEvent(buf, 0, size), {
      timeMs: 1_700_000_000_123,
      type: EV_KEY,
      code: 30,
      value: -1,
    })
  })

  k(`splits a ${size}-byte stream cut anywhere into whole records`, () => {
    const all = records(typed('A1'), size)
    const splitter = new RecordSplitter(size)
    const got = [
      ...splitter.push(all.subarray(0, 5)),
      ...splitter.push(all.subarray(5, size + 7)),
      ...splitter.push(all.subarray(size + 7)),
    ]
    assert.is(got.length, all.length / size)
    assert.equal(got[1], { timeMs: 1_700_000_000_123, type: EV_KEY, code: KEY_LEFTSHIFT, value: 1 })
  })
}

for (const [text, why] of [
  ['4006381333931', 'digits'],
  ['ABC-123', 'upper case through Shift, and a dash'],
  ['Relais.fr/x-1', 'mixed case, dot and slash'],
  ['lot 42', 'a space'],
] as const) {
  k(`decodes "${text}" (${why})`, () => {
    assert.equal(decodeAll(typed(text)), [text])
  })
}

k('Shift gives the shifted symbols, with either Shift key', () => {
  const evs = [
    ...press(KEY_RIGHTSHIFT),
    ...tap(KEY['1']!),
    ...tap(KEY['-']!),
    ...tap(KEY['/']!),
    ...release(KEY_RIGHTSHIFT),
  ]
  assert.equal(decodeAll([...evs, ...tap(KEY_ENTER)]), ['!_?'])
})

k('keypad Enter and Tab end a code too; an end key alone gives an empty code', () => {
  assert.equal(decodeAll([...typed('12', KEY_KPENTER), ...typed('34', KEY_TAB), ...tap(KEY_ENTER)]), [
    '12',
    '34',
    '',
  ])
})

k('ignores key repeats and releases: a held key is typed once', () => {
  const evs: Ev[] = [
    [EV_KEY, KEY['7']!, 1],
    [EV_KEY, KEY['7']!, 2],
    [EV_KEY, KEY['7']!, 2],
    [EV_KEY, KEY['7']!, 0],
    ...tap(KEY_ENTER),
  ]
  assert.equal(decodeAll(evs), ['7'])
})

k('a repeat of a held Shift keeps it held; only its release ends it', () => {
  const evs: Ev[] = [
    [EV_KEY, KEY_LEFTSHIFT, 1],
    [EV_KEY, KEY_LEFTSHIFT, 2],
    ...tap(KEY.a!),
    [EV_KEY, KEY_LEFTSHIFT, 0],
    ...tap(KEY.a!),
    ...tap(KEY_ENTER),
  ]
  assert.equal(decodeAll(evs), ['Aa'])
})

k('ignores events that are not keys (EV_SYN, EV_MSC, LEDs)', () => {
  const evs: Ev[] = [[EV_SYN, 0, 0], [0x11, 1, 1], [EV_MSC, 4, 458756], ...typed('9')]
  assert.equal(decodeAll(evs), ['9'])
})

k('Ctrl+] types GS, the FNC1 separator of GS1 codes', () => {
  const evs: Ev[] = [
    ...tap(KEY['0']!),
    ...press(29),
    ...tap(27),
    ...release(29),
    ...tap(KEY['1']!),
    ...tap(KEY_ENTER),
  ]
  assert.equal(decodeAll(evs), ['0\x1d1'])
})

k('warns once per key it cannot map, and leaves it out', () => {
  const warnings: string[] = []
  const d = new KeyDecoder({ onWarn: (m) => warnings.push(m) })
  const out: string[] = []
  for (const [type, code, value] of [...tap(59), ...tap(59), ...typed('5')]) {
    const c = d.feed({ timeMs: 0, type, code, value })
    if (c !== undefined) out.push(c)
  }
  assert.equal(out, ['5'])
  assert.is(warnings.length, 1)
})

k.run()

// The driver, with a PassThrough for the device.
const d = suite('hid scanner')

interface FakeDevices {
  opened: PassThrough[]
  grabbed: number[]
  scanner(config?: Partial<HidScannerConfig>, size?: 16 | 24, grab?: boolean): HidScanner
}

function fake(): FakeDevices {
  const opened: PassThrough[] = []
  const grabbed: number[] = []
  return {
    opened,
    grabbed,
    scanner(config = {}, size = 24, grab = true) {
      const openDevice = async (): Promise<EventDevice> => {
        const stream = new PassThrough()
        opened.push(stream)
        return { stream, fd: 40 + opened.length, close: () => stream.destroy() }
      }
      const loadGrab = async () => (grab ? (fd: number) => void grabbed.push(fd) : undefined)
      return new HidScanner(
        'scanner-2',
        { path: '/dev/input/by-id/usb-scanner-event-kbd', grab: true, ...config },
        log,
        {
          openDevice,
          loadGrab,
          recordSize: size,
          backoff,
        },
      )
    },
  }
}

async function next<T>(source: HidScanner, event: 'status' | 'scan' | 'warn'): Promise<T> {
  const [value] = await once(source, event, { signal: AbortSignal.timeout(5000) })
  return value as T
}

let running: HidScanner | undefined
/** The scanner under test, stopped after each test whatever happened. */
function track(s: HidScanner): HidScanner {
  running = s
  return s
}
d.after.each(async () => {
  await running?.stop()
  running = undefined
})

for (const size of [16, 24] as const) {
  d(`reads codes from ${size}-byte records, even when records are split across reads`, async () => {
    const f = fake()
    const s = track(f.scanner({}, size))
    await s.start()
    assert.equal(s.status, { state: 'attached', detail: '/dev/input/by-id/usb-scanner-event-kbd' })
    const codes: string[] = []
    const done = new Promise<void>((resolve) =>
      s.on('scan', (r: ScanRead) => codes.push(r.code) === 2 && resolve()),
    )
    const bytes = records([...typed('ABC-123'), ...typed('4006381333931')], size)
    f.opened[0]!.write(bytes.subarray(0, size * 3 + 5))
    f.opened[0]!.write(bytes.subarray(size * 3 + 5))
    await done
    assert.equal(codes, ['ABC-123', '4006381333931'])
  })
}

d('grabs the device when a grab is available', async () => {
  const f = fake()
  const s = track(f.scanner())
  const warnings: string[] = []
  s.on('warn', (m) => warnings.push(m))
  await s.start()
  assert.equal(f.grabbed, [41])
  assert.equal(warnings, [])
})

d('without a grab it warns once, reads anyway, and does not warn again on reconnect', async () => {
  const f = fake()
  const s = track(f.scanner({}, 24, false))
  const warnings: string[] = []
  s.on('warn', (m) => warnings.push(m))
  await s.start()
  assert.is(s.status.state, 'attached')
  f.opened[0]!.end()
  while (f.opened.length < 2 || s.status.state !== 'attached') await next(s, 'status')
  const grabWarnings = warnings.filter((m) => m.startsWith('not grabbed: scans also reach the console'))
  assert.is(grabWarnings.length, 1)
})

d(
  'a device another program has grabbed is not attached (its events go there); retried until released',
  async () => {
    const opened: PassThrough[] = []
    let busy = true
    const s = track(
      new HidScanner('scanner-2', { path: '/dev/input/event7', grab: true }, log, {
        openDevice: async () => {
          const stream = new PassThrough()
          opened.push(stream)
          return { stream, fd: 7, close: () => stream.destroy() }
        },
        loadGrab: async () => () => {
          if (busy) throw Object.assign(new Error('EVIOCGRAB failed: EBUSY'), { code: 'EBUSY' })
        },
        backoff,
      }),
    )
    await s.start()
    assert.equal(s.status, { state: 'detached', detail: 'busy: another program holds /dev/input/event7' })
    assert.ok(opened[0]!.destroyed, 'the device is closed again')
    busy = false
    assert.equal(await next<DeviceState>(s, 'status'), { state: 'attached', detail: '/dev/input/event7' })
  },
)

d('with grab off it neither grabs nor warns', async () => {
  const f = fake()
  const s = track(f.scanner({ grab: false }))
  const warnings: string[] = []
  s.on('warn', (m) => warnings.push(m))
  await s.start()
  assert.equal(f.grabbed, [])
  assert.equal(warnings, [])
})

d('device end: detached, then attached again on a fresh open, and scans flow', async () => {
  const f = fake()
  const s = track(f.scanner())
  await s.start()
  const detached = next<DeviceState>(s, 'status')
  f.opened[0]!.end()
  assert.equal(await detached, { state: 'detached', detail: 'unplugged' })
  assert.equal(await next<DeviceState>(s, 'status'), {
    state: 'attached',
    detail: '/dev/input/by-id/usb-scanner-event-kbd',
  })
  const scan = next<ScanRead>(s, 'scan')
  f.opened[1]!.write(records(typed('9'), 24))
  assert.is((await scan).code, '9')
})

d('a read error (ENODEV) is an unplug', async () => {
  const f = fake()
  const s = track(f.scanner())
  await s.start()
  const detached = next<DeviceState>(s, 'status')
  f.opened[0]!.destroy(Object.assign(new Error('ENODEV: no such device, read'), { code: 'ENODEV' }))
  assert.equal(await detached, { state: 'detached', detail: 'unplugged' })
})

d('start() resolves when the device is missing, says why, and stop() ends the retries', async () => {
  const missing = Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: '/dev/input/by-id/nothing' })
  let attempts = 0
  const s = new HidScanner('scanner-2', { path: '/dev/input/by-id/nothing', grab: true }, log, {
    openDevice: async () => {
      attempts++
      throw missing
    },
    backoff,
  })
  await s.start()
  assert.equal(s.status, { state: 'detached', detail: 'not found: /dev/input/by-id/nothing' })
  await s.stop()
  const seen = attempts
  await new Promise((r) => setTimeout(r, 50))
  assert.is(attempts, seen)
})

d(
  'default open and grab: reads a real file of records, warns it is not grabbed, reports the end',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'relais-hid-'))
    const path = join(dir, 'event0')
    const size = recordSizeFor()
    await writeFile(path, records([...typed('Hello-1'), ...typed('2')], size))
    // A long back-off: the file would be read again on reconnect, and this test is about one read.
    const s = track(
      new HidScanner('scanner-2', { path, grab: true }, log, {
        backoff: { initialMs: 60_000 },
      }),
    )
    const codes: string[] = []
    const warnings: string[] = []
    s.on('scan', (r: ScanRead) => codes.push(r.code))
    s.on('warn', (m: string) => warnings.push(m))
    const detached = new Promise<DeviceState>((resolve) =>
      s.on('status', (st: DeviceState) => st.state === 'detached' && resolve(st)),
    )
    await s.start()
    assert.equal(await detached, { state: 'detached', detail: 'unplugged' })
    assert.equal(codes, ['Hello-1', '2'])
    // Without the optional ioctl module, or with it (a regular file is no event device: ENOTTY).
    assert.ok(warnings.some((m) => m.startsWith('not grabbed: scans also reach the console')))
    await s.stop()
    await rm(dir, { recursive: true, force: true })
  },
)

d.run()
