// The pickup button through johnny-five (DESIGN.md, hardware notes): a Button (debounce, down/hold/up,
// holdtime) and Leds on one board, on the IO plugin the config names: our LinuxIO (gpio-key and
// gpio-leds) on the Pi, Firmata over USB serial as the fallback, or an IO instance given by a test
// (mock-firmata). A board that cannot be reached is `detached`, retried with back-off, never fatal.
import { EventEmitter } from 'node:events'
import { type BackoffOptions, retry } from '@relais/hardware'
import type { Logger } from 'pino'
import type { ButtonConfig } from '../../config/schema.js'
import { type LightColor, ledsLit } from '../../feedback/patterns.js'
import { describe } from '../scanner/base.js'
import { LinuxIO } from './linux-io.js'
import type { ButtonInput, ButtonInputEvents, DeviceState } from './types.js'

type Five = typeof import('johnny-five')
type Io = EventEmitter & { isReady?: boolean; transport?: { isOpen?: boolean; close?(): void } }
type Outputs = {
  green: number | string
  red?: number | string
  blue?: number | string
  buzzer?: number | string
}

export interface JohnnyFiveButtonDeps {
  /** An IO instance (mock-firmata in tests), with the pins to use on it; replaces config.io. */
  io?: { io: unknown; pin: number | string; leds: Outputs; pullup?: boolean }
  five?: Five
  load?: (name: string) => Promise<unknown>
  /** input_event size for the linux IO (tests). */
  recordSize?: 16 | 24
  backoff?: BackoffOptions
  readyTimeoutMs?: number
  now?: () => number
}

export class JohnnyFiveButton extends EventEmitter<ButtonInputEvents> implements ButtonInput {
  #status: DeviceState = { state: 'detached', detail: 'not started' }
  private abort?: AbortController
  private io?: Io
  private leds: Array<InstanceType<Five['Led']> | undefined> = []
  private buzzer?: InstanceType<Five['Led']>
  private lit: boolean[] = []
  private have = { red: false, blue: false }
  private readonly log: Logger
  private readonly now: () => number

  constructor(
    readonly id: string,
    private readonly config: ButtonConfig,
    log: Logger,
    private readonly deps: JohnnyFiveButtonDeps = {},
  ) {
    super()
    this.log = log.child({ module: 'button-j5', device: id, io: deps.io ? 'injected' : config.io })
    this.now = deps.now ?? Date.now
  }

  get status(): DeviceState {
    return this.#status
  }

  async start(): Promise<void> {
    if (this.abort) return
    const abort = new AbortController()
    this.abort = abort
    // The first attempt is awaited, so a working board is attached when start() returns; later ones
    // run in the background.
    await new Promise<void>((firstDone) => {
      retry(() => this.connect(abort.signal), {
        initialMs: 1000,
        maxMs: 30_000,
        ...this.deps.backoff,
        signal: abort.signal,
        onError: (err) => {
          if (!abort.signal.aborted) this.setStatus({ state: 'detached', detail: describe(err) })
          this.teardown()
          firstDone()
        },
      }).then(
        () => firstDone(),
        () => firstDone(),
      )
    })
  }

  async stop(): Promise<void> {
    this.abort?.abort()
    this.abort = undefined
    this.light('off')
    this.buzz(false)
    this.teardown()
  }

  light(color: LightColor): void {
    const want = ledsLit(color, this.have)
    this.leds.forEach((led, k) => {
      // Only changes are written: fewer Firmata messages and sysfs writes.
      if (!led || this.lit[k] === want[k]) return
      want[k] ? led.on() : led.off()
      this.lit[k] = want[k]
    })
  }

  buzz(on: boolean): void {
    if (on) this.buzzer?.on()
    else this.buzzer?.off()
  }

  private async connect(signal: AbortSignal): Promise<void> {
    const mod = (this.deps.five ?? (await this.load('johnny-five'))) as Five & { default?: Five }
    const five = mod.default ?? mod
    const { io, pin, leds, pullup } = await this.createIo()
    if (signal.aborted) return
    this.io = io
    const board = new five.Board({ io, repl: false, debug: false, sigint: false } as never)
    await this.whenReady(board, io)
    const button = new five.Button({ board, pin, holdtime: this.config.longMs, isPullup: pullup } as never)
    button.on('down', () => this.emit('down', this.now()))
    button.on('up', () => this.emit('up', this.now()))
    const led = (p: number | string | undefined) =>
      p === undefined ? undefined : new five.Led({ board, pin: p })
    this.leds = [led(leds.red), led(leds.green), led(leds.blue)]
    this.lit = []
    this.have = { red: leds.red !== undefined, blue: leds.blue !== undefined }
    this.buzzer = led(leds.buzzer)
    this.light('off')
    this.buzz(false)
    // A board that goes away later (USB unplugged) is detached, and the loop starts again.
    const lost = (err?: Error) => {
      if (signal.aborted || this.io !== io) return
      this.setStatus({ state: 'detached', detail: err ? describe(err) : 'disconnected' })
      this.teardown()
      void this.reconnect(signal)
    }
    // johnny-five forwards the IO's close/disconnect/error to the board once it is ready.
    const events = board as unknown as EventEmitter
    events.on('error', (err: Error) => lost(err))
    events.on('close', () => lost())
    events.on('disconnect', () => lost())
    if (io instanceof LinuxIO) {
      // On the Pi the board is always there; the key's event device is what comes and goes.
      const s = io.status
      this.setStatus(s.detail === 'not started' ? { state: 'detached', detail: 'opening' } : s)
      io.on('device-status', (s: DeviceState) => this.setStatus(s))
    } else {
      this.setStatus({ state: 'attached', detail: this.config.firmata?.port ?? 'firmata' })
    }
    this.log.info({ pin, leds }, 'button board ready')
  }

  private async reconnect(signal: AbortSignal): Promise<void> {
    await retry(() => this.connect(signal), {
      initialMs: 1000,
      maxMs: 30_000,
      ...this.deps.backoff,
      signal,
      onError: (err) => {
        if (!signal.aborted) this.setStatus({ state: 'detached', detail: describe(err) })
        this.teardown()
      },
    }).catch(() => {})
  }

  private teardown(): void {
    const io = this.io
    this.io = this.buzzer = undefined
    this.leds = []
    this.lit = []
    if (io instanceof LinuxIO) io.close()
    else if (io?.transport?.isOpen) {
      try {
        io.transport.close?.()
      } catch (err) {
        this.log.debug({ err }, 'closing the firmata port')
      }
    }
  }

  private whenReady(board: InstanceType<Five['Board']>, io: Io): Promise<void> {
    const ms = this.deps.readyTimeoutMs ?? 15_000
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`board not ready after ${ms} ms`)), ms)
      const done = (err?: Error) => {
        clearTimeout(timer)
        err ? reject(err) : resolve()
      }
      const events = board as unknown as EventEmitter
      events.once('ready', () => done())
      events.once('error', (err: Error) => done(err))
      io.once('error', (err: Error) => done(err))
    })
  }

  private async createIo(): Promise<{ io: Io; pin: number | string; leds: Outputs; pullup: boolean }> {
    const given = this.deps.io
    if (given) return { io: given.io as Io, pin: given.pin, leds: given.leds, pullup: given.pullup ?? false }
    if (this.config.io === 'linux') {
      const c = this.config.linux
      if (!c) throw new Error(`button ${this.id}: io 'linux' needs a 'linux' section`)
      const io = new LinuxIO({ ...c, recordSize: this.deps.recordSize, backoff: this.deps.backoff })
      io.open()
      // Pin numbers, not names: johnny-five's Button uses the pin it was given before normalising it.
      const pins = Object.fromEntries(Object.keys(c.leds).map((k) => [k, io.normalize(k)])) as Outputs
      return { io, pin: io.normalize('key'), leds: pins, pullup: false }
    }
    const c = this.config.firmata
    if (!c) throw new Error(`button ${this.id}: io 'firmata' needs a 'firmata' section`)
    const firmata = (await this.load('firmata')) as { default: new (transport: unknown) => Io }
    const serial = (await this.load('serialport')) as { SerialPort: new (o: object) => unknown }
    // The agent's own serialport 13 as the transport (firmata's bundled serialport 8 has no binding).
    const io = new firmata.default(new serial.SerialPort({ path: c.port, baudRate: 57_600 }))
    io.on('error', (err: Error) => this.log.warn({ err: err.message, port: c.port }, 'firmata error'))
    return { io, pin: c.pin, leds: c.leds, pullup: c.pullup }
  }

  private async load(name: string): Promise<unknown> {
    try {
      return await (this.deps.load ?? ((n: string) => import(n)))(name)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err
      throw new Error(`the button (io '${this.config.io}') needs the '${name}' package: npm install ${name}`)
    }
  }

  private setStatus(s: DeviceState): void {
    if (this.#status.state === s.state && this.#status.detail === s.detail) return
    this.#status = s
    if (!this.abort) return
    this.log.info(s, 'button status')
    this.emit('status', s)
  }
}
