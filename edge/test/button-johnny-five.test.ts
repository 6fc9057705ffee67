// The button through johnny-five's Button and Led on mock-firmata: edges from the pin become down/up
// at the driver's clock, classified into single/double/long; the LEDs get the colour's pins.
// johnny-five reads IS_TEST_MODE when it loads, so it is imported only after the variable is set.
process.env.IS_TEST_MODE = 'true'

import { once } from 'node:events'
// @ts-expect-error mock-firmata ships no type declarations
import mockFirmata from 'mock-firmata'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ButtonConfig } from '../src/config/schema.js'
import { JohnnyFiveButton } from '../src/drivers/button/johnny-five.js'
import { PressClassifier } from '../src/features/press-classifier.js'

const five = ((await import('johnny-five')) as unknown as { default: typeof import('johnny-five') }).default
const log = pino({ level: 'silent' })

const KEY = 2
const RED = 12
const GREEN = 13
const BUZZER = 8
const config: ButtonConfig = {
  id: 'button',
  io: 'firmata',
  doubleGapMs: 400,
  longMs: 2000,
  afterWindowMin: 30,
  closedShowMin: 15,
}

type Io = Record<string, (...a: unknown[]) => unknown> & { emit(e: string): void }

/** A ready mock board whose key the test drives and whose pin writes it reads, on a clock it sets. */
async function rig(leds: { green: number; red?: number; buzzer?: number } = { green: GREEN }) {
  const clock = { now: 0 }
  const io = new mockFirmata.Firmata() as Io
  const readers = new Map<number, (v: number) => void>()
  // mock-firmata drops digitalRead callbacks; keep them, as johnny-five's own tests do.
  io.digitalRead = (pin: unknown, cb: unknown) => readers.set(pin as number, cb as (v: number) => void)
  const writes: string[] = []
  const write = io.digitalWrite!.bind(io)
  io.digitalWrite = (pin: unknown, value: unknown) => {
    writes.push(`${pin}=${value ? 1 : 0}`)
    return write(pin, value)
  }
  io.emit('connect')
  io.emit('ready')
  const button = new JohnnyFiveButton('button', config, log, {
    io: { io, pin: KEY, leds },
    five,
    now: () => clock.now,
  })
  await button.start()
  const k = new PressClassifier(config)
  const presses: string[] = []
  const record = (list: { press: string; heldMs?: number }[]) => {
    for (const p of list) presses.push(p.heldMs === undefined ? p.press : `${p.press}(${p.heldMs})`)
  }
  button.on('down', (at) => record(k.down(at)))
  button.on('up', (at) => record(k.up(at)))
  /** The key at `at` ms: 1 pressed, 0 released; resolves when johnny-five (7 ms debounce) reports it. */
  const key = async (value: 0 | 1, at: number) => {
    clock.now = at
    const seen = once(button, value ? 'down' : 'up')
    readers.get(KEY)!(value)
    await seen
  }
  /** Lets the double-press gap run out on the clock, as the feature's timer would. */
  const settle = () => record(k.poll((k.nextDeadline() ?? 0) + 1))
  return { button, io, key, settle, presses, writes, readers }
}

const t = suite('button on johnny-five (mock-firmata)')

t('start: attached, the key is read on its pin, every LED off', async () => {
  const r = await rig({ green: GREEN, red: RED })
  assert.equal(r.button.status, { state: 'attached', detail: 'firmata' })
  assert.ok(r.readers.has(KEY), 'digitalRead on the key pin')
  assert.ok(r.writes.includes(`${GREEN}=0`) && r.writes.includes(`${RED}=0`), r.writes.join(' '))
  await r.button.stop()
})

t('a short press is a single; two quick ones a double; held past longMs a long one', async () => {
  const r = await rig()
  await r.key(1, 1000)
  await r.key(0, 1120)
  r.settle()
  await r.key(1, 5000)
  await r.key(0, 5100)
  await r.key(1, 5300)
  await r.key(0, 5400)
  await r.key(1, 9000)
  await r.key(0, 11_500)
  r.settle()
  assert.equal(r.presses, ['single', 'double', 'long(2500)'])
  await r.button.stop()
})

t('a bounce shorter than the debounce is one edge, not a press and a release', async () => {
  const r = await rig()
  const downs: number[] = []
  r.button.on('down', (at) => downs.push(at))
  const up = once(r.button, 'up')
  // Down, a 1 ms bounce up and down again, then released: johnny-five reports the last state only.
  r.readers.get(KEY)!(1)
  r.readers.get(KEY)!(0)
  r.readers.get(KEY)!(1)
  await once(r.button, 'down')
  r.readers.get(KEY)!(0)
  await up
  assert.is(downs.length, 1)
  await r.button.stop()
})

t('a pull-up button reads low when pressed', async () => {
  const clock = { now: 0 }
  const io = new mockFirmata.Firmata() as Io
  let read: ((v: number) => void) | undefined
  io.digitalRead = (_pin: unknown, cb: unknown) => {
    read = cb as (v: number) => void
  }
  io.emit('connect')
  io.emit('ready')
  const b = new JohnnyFiveButton('button', config, log, {
    io: { io, pin: KEY, leds: { green: GREEN }, pullup: true },
    five,
    now: () => clock.now,
  })
  await b.start()
  const down = once(b, 'down')
  read!(0)
  await down
  const up = once(b, 'up')
  read!(1)
  await up
  await b.stop()
})

t('colours on two LEDs: amber is both, green one; the buzzer is its own pin', async () => {
  const r = await rig({ green: GREEN, red: RED, buzzer: BUZZER })
  r.writes.splice(0)
  r.button.light('amber')
  assert.equal(r.writes.sort(), [`${RED}=1`, `${GREEN}=1`])
  r.writes.splice(0)
  r.button.light('green')
  assert.equal(r.writes, [`${RED}=0`])
  r.writes.splice(0)
  r.button.light('green')
  assert.equal(r.writes, [], 'an unchanged colour writes nothing')
  r.button.buzz(true)
  r.button.buzz(false)
  assert.equal(r.writes, [`${BUZZER}=1`, `${BUZZER}=0`])
  await r.button.stop()
})

t('a board that never gets ready is detached, and start() still returns', async () => {
  const io = new mockFirmata.Firmata() as Io
  const b = new JohnnyFiveButton('button', config, log, {
    io: { io, pin: KEY, leds: { green: GREEN } },
    five,
    readyTimeoutMs: 50,
    backoff: { initialMs: 60_000 },
  })
  await b.start()
  assert.equal(b.status, { state: 'detached', detail: 'board not ready after 50 ms' })
  await b.stop()
})

t.run()
