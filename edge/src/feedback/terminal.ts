// Feedback without device hardware: a coloured line on a terminal (someone at the console), or a pino line
// for the journal on headless setups, so what the device "showed" can still be read afterwards.
import type { Logger } from 'pino'
import { describe, type LightColor, mainColor, PATTERNS } from './patterns.js'
import type { Feedback, FeedbackSignal } from './types.js'

type ShowContext = { device?: string; code?: string; detail?: string }

const ANSI: Record<LightColor, string> = {
  green: '\x1b[32m',
  red: '\x1b[31m',
  amber: '\x1b[33m',
  blue: '\x1b[34m',
  off: '\x1b[2m',
}
const RESET = '\x1b[0m'
const BELL = '\x07'

export interface TerminalOptions {
  /** Where lines go; default process.stderr (stdout carries the JSON log). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean }
  /** ANSI colours and the bell; default: only when the stream is a TTY, so a pipe gets plain text. */
  ansi?: boolean
}

export class TerminalFeedback implements Feedback {
  readonly name = 'terminal'
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }
  private readonly ansi: boolean
  private readonly log: Logger
  /** The persistent mode, shown on every line until it ends (a line cannot keep blinking). */
  private mode?: FeedbackSignal

  constructor(log: Logger, opts: TerminalOptions = {}) {
    this.log = log.child({ module: 'feedback', feedback: 'terminal' })
    this.stream = opts.stream ?? process.stderr
    this.ansi = opts.ansi ?? this.stream.isTTY === true
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.mode = undefined
  }

  show(signal: FeedbackSignal, context: ShowContext = {}): void {
    try {
      const pattern = PATTERNS[signal]
      if (!pattern) throw new Error(`unknown feedback signal ${String(signal)}`)
      if (pattern.persistent) this.mode = signal
      if (pattern.endsPersistent) this.mode = undefined
      const where = [context.device, context.code].filter(Boolean).join(' ')
      const mode = this.mode && this.mode !== signal ? ` [${this.mode}]` : ''
      const detail = context.detail ? ` (${context.detail})` : ''
      const text = `${signal}${mode}${where ? ` ${where}` : ''}: ${describe(signal)}${detail}`
      // Red patterns are failures: ring the bell so someone not looking at the screen hears it.
      const failed = pattern.steps.some((s) => s.color === 'red')
      const line = this.ansi
        ? `${ANSI[mainColor(pattern)]}● ${text}${RESET}${failed ? BELL : ''}`
        : `* ${text}`
      this.stream.write(`${line}\n`)
    } catch (err) {
      this.log.warn({ err, signal }, 'terminal feedback failed')
    }
  }
}

/** One info line per signal, `{ device, signal, code }`, for journald on headless setups. */
export class LogFeedback implements Feedback {
  readonly name = 'log'
  private readonly log: Logger

  constructor(log: Logger) {
    this.log = log.child({ module: 'feedback', feedback: 'log' })
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  show(signal: FeedbackSignal, context: ShowContext = {}): void {
    try {
      const { device, code, detail } = context
      this.log.info({ device, signal, code, detail }, describe(signal))
    } catch {
      // A logger that throws has nowhere left to report to; feedback must still never throw.
    }
  }
}
