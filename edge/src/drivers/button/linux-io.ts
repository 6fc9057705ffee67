// A johnny-five IO plugin of our own for a button on the Pi's GPIO through kernel drivers (DESIGN.md,
// hardware notes): the key is a `gpio-key` (input events on /dev/input/...-event, the same records the HID
// scanner reads), the LEDs are `gpio-leds` (write 0 or 255 to /sys/class/leds/<name>/brightness; the
// kernel clamps to max_brightness). No pigpio (does not work on a Pi 5), no sysfs /sys/class/gpio
// (deprecated), no native addon. Only what Button and Led use is implemented.
//
// Pins are logical: 0 is the key, then one per configured LED, named so Button({ pin: 'key' }) and
// Led({ pin: 'green' }) read like the wiring.
import { EventEmitter } from 'node:events'
import { writeFileSync } from 'node:fs'
import { open as openFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { type BackoffOptions, retry } from '@relais/hardware'
import { describe } from '../scanner/base.js'
import { EV_KEY, KEY_PRESS, KEY_RELEASE, RecordSplitter, recordSizeFor } from '../scanner/input-event.js'
import type { DeviceState } from './types.js'

const MODES = Object.freeze({ INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, SERVO: 4 })

export interface LinuxIoOptions {
  /** The key's event device (/dev/input/by-path/platform-button@11-event). */
  input: string
  /** The EV_KEY code of the key (the overlay's linux,code). */
  keyCode: number
  ledsDir: string
  /** Output name -> LED class name, e.g. { green: 'relais-green', buzzer: 'relais-buzzer' }. */
  leds: Record<string, string | undefined>
  recordSize?: 16 | 24
  backoff?: BackoffOptions
}

interface PinInfo {
  name: string
  supportedModes: number[]
  mode: number
  value: number
  report: number
  analogChannel: number
  /** The brightness file of an LED pin. */
  file?: string
}

export class LinuxIO extends EventEmitter {
  readonly name = 'Linux'
  readonly MODES = MODES
  readonly HIGH = 1
  readonly LOW = 0
  readonly defaultLed = 1
  readonly analogPins: number[] = []
  readonly pins: PinInfo[]
  isReady = false
  /** The key's event device: attached while it is open. */
  status: DeviceState = { state: 'detached', detail: 'not started' }
  readonly recordSize: 16 | 24
  private readonly readers = new Map<number, Array<(value: number) => void>>()
  private abort?: AbortController
  private stream?: Readable

  constructor(private readonly o: LinuxIoOptions) {
    super()
    this.recordSize = o.recordSize ?? recordSizeFor()
    const pin = (name: string, modes: number[], file?: string): PinInfo => ({
      name,
      supportedModes: modes,
      mode: modes[0]!,
      value: 0,
      report: 1,
      analogChannel: 127,
      file,
    })
    this.pins = [pin('key', [MODES.INPUT])]
    for (const [name, led] of Object.entries(o.leds))
      if (led !== undefined) this.pins.push(pin(name, [MODES.OUTPUT], join(o.ledsDir, led, 'brightness')))
  }

  /** Starts reading the key (in the background, reconnecting) and says ready. */
  open(): void {
    if (this.abort) return
    this.abort = new AbortController()
    void this.readLoop(this.abort.signal)
    this.isReady = true
    this.emit('connect')
    this.emit('ready')
  }

  close(): void {
    this.abort?.abort()
    this.abort = undefined
    this.release()
    this.isReady = false
  }

  /** A pin number from a number or an output name ('key', 'green', ...). */
  normalize(pin: number | string): number {
    if (typeof pin === 'number') return pin
    const i = this.pins.findIndex((p) => p.name === pin)
    return i >= 0 ? i : Number(pin)
  }

  pinMode(pin: number | string, mode: number): this {
    const p = this.pins[this.normalize(pin)]
    if (p === undefined || !p.supportedModes.includes(mode))
      throw new Error(`linux io: pin ${pin} does not support mode ${mode}`)
    p.mode = mode
    return this
  }

  /** Calls back with 1 (down) or 0 (up) on every change of the key. */
  digitalRead(pin: number | string, callback: (value: number) => void): void {
    const n = this.normalize(pin)
    const list = this.readers.get(n) ?? []
    list.push(callback)
    this.readers.set(n, list)
  }

  digitalWrite(pin: number | string, value: number): this {
    const p = this.pins[this.normalize(pin)]
    if (p?.file === undefined) throw new Error(`linux io: pin ${pin} is not an output`)
    // Synchronous on purpose: a sysfs write takes microseconds, and writes must land in order.
    writeFileSync(p.file, value ? '255' : '0')
    p.value = value ? 1 : 0
    return this
  }

  analogWrite(pin: number | string, value: number): this {
    return this.digitalWrite(pin, value > 0 ? 1 : 0)
  }

  reportDigitalPin(): void {}
  setSamplingInterval(): void {}

  private async readLoop(signal: AbortSignal): Promise<void> {
    await retry(() => this.readOnce(signal), {
      initialMs: 500,
      maxMs: 30_000,
      ...this.o.backoff,
      signal,
      onError: (err) => {
        if (!signal.aborted) this.setStatus({ state: 'detached', detail: describe(err) })
      },
    }).catch(() => {})
  }

  /** Reads until the device goes away; rejects with why, so the loop retries. */
  private async readOnce(signal: AbortSignal): Promise<void> {
    const handle = await openFile(this.o.input, 'r')
    if (signal.aborted) {
      await handle.close()
      return
    }
    const stream = handle.createReadStream({ highWaterMark: this.recordSize * 64 })
    this.stream = stream
    const splitter = new RecordSplitter(this.recordSize)
    this.setStatus({ state: 'attached', detail: this.o.input })
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk) => {
        if (typeof chunk === 'string') return
        for (const ev of splitter.push(chunk)) {
          // Autorepeat (2) is not a new press; other keys and event types are not ours.
          if (ev.type !== EV_KEY || ev.code !== this.o.keyCode) continue
          if (ev.value === KEY_PRESS || ev.value === KEY_RELEASE) this.key(ev.value)
        }
      })
      stream.on('error', reject)
      // A device does not end; a file (tests) or a vanished node does: reopen it after a pause.
      stream.on('end', () => reject(Object.assign(new Error('unplugged'), { code: 'ENODEV' })))
      signal.addEventListener('abort', () => resolve(), { once: true })
    })
    try {
      await ended
    } finally {
      this.release()
    }
  }

  private key(value: number): void {
    const p = this.pins[0]!
    p.value = value
    for (const cb of this.readers.get(0) ?? []) cb(value)
  }

  private release(): void {
    const s = this.stream
    this.stream = undefined
    if (s === undefined) return
    // A key on a device that is gone is not held: johnny-five's Button repeats `hold` on an interval
    // until it sees the key up, and that interval would outlive a stop or an unplug.
    if (this.pins[0]!.value === KEY_PRESS) this.key(KEY_RELEASE)
    s.removeAllListeners()
    s.on('error', () => {})
    s.destroy()
  }

  private setStatus(s: DeviceState): void {
    if (this.status.state === s.state && this.status.detail === s.detail) return
    this.status = s
    this.emit('device-status', s)
  }
}
