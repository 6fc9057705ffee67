// JohnnyFiveFeedback against mock-firmata: the exact pin writes of each pattern, on a fake clock.
// johnny-five reads IS_TEST_MODE when it loads, so it is imported only after the variable is set.
process.env.IS_TEST_MODE = 'true'

// @ts-expect-error mock-firmata ships no type declarations
import mockFirmata from 'mock-firmata'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type JohnnyFiveConfig, JohnnyFiveFeedback, type Timers } from '../src/feedback/index.js'

const five = ((await import('johnny-five')) as unknown as { default: typeof import('johnny-five') }).default
const log = pino({ level: 'silent' })
type Coded = Error & { code?: string }

/** Timers that run only when the test advances time. */
class FakeClock implements Timers {
  now = 0
  private next = 1
  private readonly due = new Map<number, { at: number; fn: () => void }>()
  setTimeout(fn: () => void, ms: number): unknown {
    this.due.set(this.next, { at: this.now + ms, fn })
    return this.next++
  }
  clearTimeout(id: unknown): void {
    this.due.delete(id as number)
  }
  get pending(): number {
    return this.due.size
  }
  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      const [id, t] = [...this.due].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0] ?? []
      if (id === undefined || !t || t.at > end) break
      this.due.delete(id)
      this.now = t.at
      t.fn()
    }
    this.now = end
  }
}

// Pins of the two-LED rig, and the names writes are printed with: `1000 G=0` is green off at 1000 ms.
const RED = 12
const GREEN = 13
const BUZZER = 8
const NAMES: Record<number, string> = { [RED]: 'R', [GREEN]: 'G', [BUZZER]: 'Z', 9: 'r', 10: 'g', 11: 'b' }
const twoLeds = { red: RED, green: GREEN, buzzer: BUZZER }

type Io = Record<string, (...a: unknown[]) => unknown> & { emit(e: string): void }

/** A ready mock board that records every digitalWrite/analogWrite with the fake time it happened at. */
function rig(pins: JohnnyFiveConfig['pins']) {
  const clock = new FakeClock()
  const io = new mockFirmata.Firmata() as Io
  const writes: [ms: number, pin: number, value: number][] = []
  for (const name of ['digitalWrite', 'analogWrite']) {
    const original = io[name]!.bind(io)
    io[name] = (pin: unknown, value: unknown) => {
      writes.push([clock.now, pin as number, value as number])
      return original(pin, value)
    }
  }
  io.emit('connect')
  io.emit('ready')
  const fb = new JohnnyFiveFeedback({ io: 'mock', pins }, log, { io, five, timers: clock })
  /** The writes since the last call (to the LED pins unless `pins` are given), as `ms NAME=value`. */
  const take = (pins = [RED, GREEN, 9, 10, 11]) =>
    writes
      .splice(0)
      .filter(([, pin]) => pins.includes(pin))
      .map(([ms, pin, value]) => `${ms} ${NAMES[pin]}=${value}`)
      .join(', ')
  return { clock, io, fb, take }
}

const t = suite('johnny-five feedback on mock-firmata')

t('start turns every LED off; added lights green for 1 s', async () => {
  const { clock, fb, take } = rig(twoLeds)
  await fb.start()
  assert.is(take(), '0 R=0, 0 G=0')
  fb.show('added')
  clock.advance(5000)
  assert.is(take(), '0 G=1, 1000 G=0')
  assert.is(clock.pending, 0)
  await fb.stop()
})

t('incremented is two short green blinks', async () => {
  const { clock, fb, take } = rig(twoLeds)
  await fb.start()
  take()
  fb.show('incremented')
  clock.advance(5000)
  assert.is(take(), '0 G=1, 150 G=0, 300 G=1, 450 G=0')
  await fb.stop()
})

t('rejected is three fast red blinks with a low tone toggling the buzzer pin', async () => {
  const { clock, fb, take } = rig(twoLeds)
  await fb.start()
  take()
  fb.show('rejected')
  // johnny-five's Piezo toggles the pin on its own real-time timer: give it a few periods of 220 Hz.
  await new Promise((r) => setTimeout(r, 30))
  const early = take([RED, GREEN, BUZZER])
  const tone = early.split(', ').filter((w) => w.includes('Z='))
  assert.ok(tone.includes('0 Z=1') && tone.includes('0 Z=0'), `buzzer toggled: ${tone.join(', ')}`)
  clock.advance(5000)
  const all = `${early}, ${take([RED, GREEN, BUZZER])}`.split(', ')
  assert.is(
    all.filter((w) => !w.includes('Z=')).join(', '),
    '0 R=1, 100 R=0, 200 R=1, 300 R=0, 400 R=1, 500 R=0',
  )
  // The tone ends (pin low) when its 400 ms are up, and stays quiet after.
  assert.is(all.filter((w) => w.includes('Z=')).at(-1), '400 Z=0')
  await new Promise((r) => setTimeout(r, 20))
  assert.is(take([BUZZER]), '')
  await fb.stop()
})

t('remove mode pulses amber, resumes after a transient signal, and ends on mode_add', async () => {
  const { clock, fb, take } = rig({ red: RED, green: GREEN })
  await fb.start()
  take()
  fb.show('mode_remove')
  clock.advance(4500)
  assert.is(
    take(),
    '0 R=1, 0 G=1, 1000 R=0, 1000 G=0, 2000 R=1, 2000 G=1, 3000 R=0, 3000 G=0, 4000 R=1, 4000 G=1',
  )
  fb.show('removed', { device: 'scanner-1', code: '3017620422003' })
  clock.advance(2500)
  // removed: green 150, off 150, green 700; then the mode comes back from its first step, amber.
  assert.is(take(), '4500 R=0, 4650 G=0, 4800 G=1, 5500 R=1, 6500 R=0, 6500 G=0')
  fb.show('mode_add')
  clock.advance(10_000)
  assert.is(take(), '7000 G=1, 7100 G=0, 7200 G=1, 7300 G=0, 7400 G=1, 7500 G=0')
  assert.is(clock.pending, 0, 'no timer left once the mode ended')
  await fb.stop()
})

t('a new signal cuts the running pattern short', async () => {
  const { clock, fb, take } = rig(twoLeds)
  await fb.start()
  take()
  fb.show('error')
  clock.advance(300)
  fb.show('added')
  clock.advance(5000)
  assert.is(take(), '0 R=1, 300 R=0, 300 G=1, 1300 G=0')
  await fb.stop()
})

t('an RGB LED gets one colour per step; amber is red with a little green', async () => {
  const { clock, fb, take } = rig({ red: 9, green: 10, blue: 11 })
  await fb.start()
  take()
  fb.show('unknown_product')
  clock.advance(5000)
  assert.is(take(), '0 r=0, 0 g=255, 0 b=0, 500 r=255, 500 g=96, 500 b=0, 1500 r=0, 1500 g=0, 1500 b=0')
  fb.show('received')
  clock.advance(100)
  assert.is(take(), '5000 r=0, 5000 g=0, 5000 b=255, 5080 r=0, 5080 g=0, 5080 b=0')
  await fb.stop()
})

t('without a blue LED, queued_offline blinks amber (red and green together)', async () => {
  const { clock, fb, take } = rig({ red: RED, green: GREEN })
  await fb.start()
  take()
  fb.show('queued_offline')
  clock.advance(10_000)
  const ons = take()
    .split(', ')
    .filter((w) => w.endsWith('=1'))
  assert.equal(ons, ['0 R=1', '0 G=1', '500 R=1', '500 G=1', '1750 R=1', '1750 G=1', '2250 R=1', '2250 G=1'])
  await fb.stop()
})

t('stop turns everything off and leaves no timer behind', async () => {
  const { clock, fb, take } = rig(twoLeds)
  await fb.start()
  take()
  fb.show('mode_remove')
  fb.show('rejected')
  await fb.stop()
  assert.is(clock.pending, 0)
  const last = new Map(
    take([RED, GREEN, BUZZER])
      .split(', ')
      .map((w) => [w.split(/[ =]/)[1], w.slice(-1)]),
  )
  assert.equal(Object.fromEntries(last), { R: '0', G: '0', Z: '0' }, 'LEDs off, tone stopped')
  fb.show('added')
  clock.advance(2000)
  assert.is(take([RED, GREEN, BUZZER]), '', 'nothing is written after stop')
})

t('show never throws: before start, an unknown signal, a failing pin write', async () => {
  // No buzzer: johnny-five's Piezo writes from its own timer, outside anything the feedback can catch.
  const { clock, fb, io } = rig({ red: RED, green: GREEN })
  fb.show('added')
  await fb.start()
  fb.show('no-such-signal' as 'added')
  io.digitalWrite = () => {
    throw new Error('serial port closed')
  }
  fb.show('rejected')
  clock.advance(2000)
  await fb.stop()
})

t('io mock without an injected board loads mock-firmata itself', async () => {
  const clock = new FakeClock()
  const fb = new JohnnyFiveFeedback({ io: 'mock', pins: { green: 13 } }, log, { five, timers: clock })
  await fb.start()
  fb.show('added')
  clock.advance(2000)
  await fb.stop()
})

t('a board that never gets ready fails start with a clear error', async () => {
  const clock = new FakeClock()
  const io = new mockFirmata.Firmata()
  const deps = { io, five, timers: clock, readyTimeoutMs: 3000 }
  const fb = new JohnnyFiveFeedback({ io: 'mock', pins: { green: 13 } }, log, deps)
  const started = fb.start().then(
    () => new Error('started') as Coded,
    (err: Coded) => err,
  )
  await new Promise((r) => setImmediate(r))
  clock.advance(3000)
  const err = await started
  assert.is(err.code, 'FEEDBACK_NOT_READY')
  assert.match(err.message, /not ready after 3000 ms/)
})

t("io 'firmata' names what is missing: the port, or the firmata package", async () => {
  const failure = (fb: JohnnyFiveFeedback) =>
    fb.start().then(
      () => ({ code: 'started', message: '' }) as Coded,
      (err: Coded) => err,
    )
  const noPort = await failure(new JohnnyFiveFeedback({ io: 'firmata', pins: { green: 13 } }, log, { five }))
  assert.is(noPort.code, 'FEEDBACK_CONFIG')
  assert.match(noPort.message, /port is required/)
  const missing = async (name: string) => {
    throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' })
  }
  const config = { io: 'firmata' as const, port: '/dev/relais-firmata', pins: { green: 13 } }
  const err = await failure(new JohnnyFiveFeedback(config, log, { five, load: missing }))
  assert.is(err.code, 'FEEDBACK_DEPENDENCY_MISSING')
  assert.match(err.message, /'firmata' package: npm install firmata/)
})

t.run()
