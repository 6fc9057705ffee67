// Feedback on LEDs and an optional buzzer through johnny-five, on the IO plugin the config names (DESIGN:
// johnny-five for Led behaviour; Firmata over USB as the fallback IO). Patterns are played step by step on
// our own timers, not with Led.blink, so multi-step patterns are exact and a new signal cuts the old one.
import type { EventEmitter } from 'node:events'
import type { BoardOption } from 'johnny-five'
import type { Logger } from 'pino'
import type { FeedbackConfig } from '../config/schema.js'
import { type Beep, type LightColor, ledsLit, PATTERNS, type Pattern, RGB_HEX } from './patterns.js'
import type { Feedback, FeedbackSignal } from './types.js'

export type JohnnyFiveConfig = NonNullable<FeedbackConfig['johnnyFive']>
type Five = typeof import('johnny-five')
type Io = EventEmitter & { transport?: { isOpen?: boolean; close?(): void } }

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}
const realTimers: Timers = { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }

export interface JohnnyFiveDeps {
  /** An IO plugin instance (e.g. new MockFirmata()), used instead of the one `config.io` names. */
  io?: unknown
  five?: Five
  timers?: Timers
  /** Imports an optional package (johnny-five, firmata, serialport, mock-firmata); tests fake a missing one. */
  load?: (name: string) => Promise<unknown>
  readyTimeoutMs?: number
}

/** A failure with a stable code, for the agent's boot log. */
export function feedbackError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code })
}

export class JohnnyFiveFeedback implements Feedback {
  readonly name = 'johnny-five'
  private readonly log: Logger
  private readonly timers: Timers
  private setLight?: (c: LightColor) => void
  private piezo?: InstanceType<Five['Piezo']>
  private ownIo?: Io
  /** The persistent pattern (remove mode) that transient signals play over and hand back to. */
  private mode?: Pattern
  private lightTimer?: unknown
  private beepTimer?: unknown
  private toneOn = false

  constructor(
    private readonly config: JohnnyFiveConfig,
    log: Logger,
    private readonly deps: JohnnyFiveDeps = {},
  ) {
    this.log = log.child({ module: 'feedback', feedback: 'johnny-five' })
    this.timers = deps.timers ?? realTimers
  }

  async start(): Promise<void> {
    // Loaded here, not at import: johnny-five reads IS_TEST_MODE when it loads, and log-only agents skip it.
    const mod = (this.deps.five ?? (await this.load('johnny-five'))) as Five & { default?: Five }
    const five = mod.default ?? mod
    const io = this.deps.io ?? (await this.createIo())
    const options: BoardOption & { sigint: boolean } = { io, repl: false, debug: false, sigint: false }
    const board = new five.Board(options)
    try {
      await this.whenReady(board)
    } catch (err) {
      await this.stop() // a board that never answered must not keep its serial port open
      throw err
    }
    this.setLight = makeLight(five, board, this.config.pins)
    const buzzer = this.config.pins.buzzer
    if (buzzer !== undefined) this.piezo = new five.Piezo({ board, pin: buzzer })
    this.setLight('off')
    this.log.info({ io: this.config.io, pins: this.config.pins }, 'feedback board ready')
  }

  async stop(): Promise<void> {
    this.mode = undefined
    this.cancel()
    this.guard(() => this.setLight?.('off'))
    if (this.ownIo?.transport?.isOpen) this.guard(() => this.ownIo?.transport?.close?.())
    this.setLight = this.piezo = this.ownIo = undefined
  }

  show(signal: FeedbackSignal, context: { device?: string; code?: string; detail?: string } = {}): void {
    this.guard(() => {
      const pattern = PATTERNS[signal]
      if (!pattern) throw new Error(`unknown feedback signal ${String(signal)}`)
      this.log.debug({ signal, device: context.device, code: context.code }, 'feedback')
      if (!this.setLight) return this.log.warn({ signal }, 'feedback shown before start, ignored')
      if (pattern.persistent) this.mode = pattern
      if (pattern.endsPersistent) this.mode = undefined
      this.cancel()
      this.playLight(pattern)
      if (pattern.beep && this.piezo) this.playBeep(pattern.beep)
    })
  }

  private playLight(pattern: Pattern, i = 0): void {
    this.lightTimer = undefined
    const count = pattern.persistent ? Number.POSITIVE_INFINITY : pattern.steps.length * pattern.repeat
    const step = pattern.steps[i % pattern.steps.length]
    if (i >= count || !step) {
      // A transient signal over a mode hands the light back to the mode, from its first step.
      if (this.mode) this.playLight(this.mode)
      else this.setLight?.('off')
      return
    }
    this.setLight?.(step.color)
    this.lightTimer = this.timers.setTimeout(() => this.guard(() => this.playLight(pattern, i + 1)), step.ms)
  }

  private playBeep(beeps: readonly Beep[], i = 0): void {
    const beep = beeps[i]
    this.tone(beep?.hz ?? 0, beep?.ms)
    this.beepTimer =
      beep && this.timers.setTimeout(() => this.guard(() => this.playBeep(beeps, i + 1)), beep.ms)
  }

  /** Ends the tone playing, if any, then starts `hz` (0: silence). */
  private tone(hz: number, ms = 0): void {
    if (this.toneOn) this.guard(() => this.piezo?.noTone())
    if (hz > 0) this.piezo?.frequency(hz, ms)
    this.toneOn = hz > 0
  }

  private cancel(): void {
    if (this.lightTimer !== undefined) this.timers.clearTimeout(this.lightTimer)
    if (this.beepTimer !== undefined) this.timers.clearTimeout(this.beepTimer)
    this.lightTimer = this.beepTimer = undefined
    this.tone(0)
  }

  /** Feedback must never take the agent down: a failed pin write is logged, not thrown. */
  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.log.warn({ err }, 'feedback output failed')
    }
  }

  private whenReady(board: InstanceType<Five['Board']>): Promise<void> {
    const ms = this.deps.readyTimeoutMs ?? 15_000
    const where = this.config.io === 'firmata' ? ` on ${this.config.port} (is StandardFirmata flashed?)` : ''
    return new Promise((resolve, reject) => {
      const settle = (err?: Error) => {
        this.timers.clearTimeout(timer)
        err ? reject(err) : resolve()
      }
      const late = feedbackError('FEEDBACK_NOT_READY', `feedback board not ready after ${ms} ms${where}`)
      const timer = this.timers.setTimeout(() => settle(late), ms)
      board.on('ready', () => settle())
      // A port that cannot be opened fails at once instead of waiting for the timeout.
      this.ownIo?.once('error', (err: Error) =>
        settle(feedbackError('FEEDBACK_BOARD', `feedback board: ${err.message}`)),
      )
      // johnny-five emits IO errors on the board (and forwards them after 'ready'); unheard, they are thrown.
      board.on('error', (err) => {
        this.log.error({ err }, 'feedback board error')
        settle(feedbackError('FEEDBACK_BOARD', `feedback board error: ${err?.message}`))
      })
    })
  }

  private async createIo(): Promise<Io> {
    if (this.config.io === 'mock') {
      const { Firmata } = (await this.load('mock-firmata')) as { Firmata: new () => Io }
      const io = new Firmata()
      // Nothing answers a mock board, so it is ready at once; johnny-five replays 'ready' to the Board.
      io.emit('connect')
      io.emit('ready')
      return io
    }
    const path = this.config.port
    if (!path)
      throw feedbackError('FEEDBACK_CONFIG', "feedback.johnnyFive.port is required with io 'firmata'")
    const firmata = (await this.load('firmata')) as { default: new (transport: unknown) => Io }
    const serial = (await this.load('serialport')) as { SerialPort: new (o: object) => unknown }
    // The agent's own serialport 13 as the transport: firmata's bundled serialport 8 has no built binding.
    this.ownIo = new firmata.default(new serial.SerialPort({ path, baudRate: 57_600 }))
    this.ownIo.on('error', (err) => this.log.warn({ err, path }, 'firmata transport error'))
    return this.ownIo
  }

  private async load(name: string): Promise<unknown> {
    try {
      return await (this.deps.load ?? ((n: string) => import(n)))(name)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err
      const msg = `johnny-five feedback (io '${this.config.io}') needs the '${name}' package: npm install ${name}`
      throw feedbackError('FEEDBACK_DEPENDENCY_MISSING', msg)
    }
  }
}

/** One RGB LED when all three colour pins are given, else separate LEDs (see ledsLit). */
function makeLight(five: Five, board: InstanceType<Five['Board']>, pins: JohnnyFiveConfig['pins']) {
  const { red, green, blue } = pins
  let last: LightColor | undefined
  if (red !== undefined && blue !== undefined) {
    const rgb = new five.Led.RGB({ board, pins: { red, green, blue } })
    return (color: LightColor) => {
      if (color !== last) rgb.color(RGB_HEX[color])
      last = color
    }
  }
  const leds = [red, green, blue].map((pin) => (pin === undefined ? undefined : new five.Led({ board, pin })))
  const lit: (boolean | undefined)[] = []
  return (color: LightColor) => {
    const want = ledsLit(color, { red: red !== undefined, blue: blue !== undefined })
    leds.forEach((led, k) => {
      // Only changes are written: fewer Firmata messages, and the pin traffic reads like the pattern.
      if (!led || lit[k] === want[k]) return
      want[k] ? led.on() : led.off()
      lit[k] = want[k]
    })
  }
}
