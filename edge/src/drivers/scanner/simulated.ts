// A scanner without hardware, for tests, demos and the simulators: scans the configured codes in turn
// every `intervalMs`, scans whatever `push()` is given, and can be unplugged and plugged back so the
// detached path of the features is exercised too. It behaves like the real drivers: status on every
// change, no empty codes, nothing emitted after stop().
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { ScannerConfig } from '../../config/schema.js'
import { scanRead } from './base.js'
import type { DeviceState, ScanSource, ScanSourceEvents } from './types.js'

export type SimulatedScannerConfig = NonNullable<ScannerConfig['simulated']>

export interface SimulatedDeps {
  now?: () => number
}

export class SimulatedScanner extends EventEmitter<ScanSourceEvents> implements ScanSource {
  #status: DeviceState = { state: 'detached', detail: 'not started' }
  #running = false
  #plugged = true
  #timer: NodeJS.Timeout | undefined
  #next = 0
  private readonly log: Logger
  private readonly now: () => number

  constructor(
    readonly id: string,
    private readonly config: SimulatedScannerConfig,
    log: Logger,
    deps: SimulatedDeps = {},
  ) {
    super()
    this.log = log.child({ module: 'scanner-simulated', device: id })
    this.now = deps.now ?? Date.now
  }

  get status(): DeviceState {
    return this.#status
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    // Always said at start, even if unchanged since a previous run: whoever listens now wants to know.
    this.setStatus(this.#plugged ? { state: 'attached', detail: 'simulated' } : this.#status, true)
    if (this.config.codes.length > 0) this.#timer = setInterval(() => this.tick(), this.config.intervalMs)
  }

  async stop(): Promise<void> {
    this.#running = false
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Scans `code` now, as if read; false (and nothing emitted) when stopped, unplugged, or empty. */
  push(code: string): boolean {
    if (!this.#running || !this.#plugged || code === '') return false
    this.log.debug({ length: code.length }, 'scan')
    this.emit('scan', scanRead(code, this.now()))
    return true
  }

  /** Takes the scanner away: `detached` with `detail`, and no scans until plug(). */
  unplug(detail = 'unplugged'): void {
    this.#plugged = false
    this.setStatus({ state: 'detached', detail })
  }

  plug(): void {
    this.#plugged = true
    this.setStatus({ state: 'attached', detail: 'simulated' })
  }

  private tick(): void {
    const codes = this.config.codes
    // Cycles through the codes; a tick while unplugged is a scan that never happened.
    if (this.push(codes[this.#next % codes.length]!)) this.#next++
  }

  private setStatus(status: DeviceState, always = false): void {
    const same = this.#status.state === status.state && this.#status.detail === status.detail
    this.#status = status
    if (!this.#running || (same && !always)) return
    this.log.info(status, 'scanner status')
    this.emit('status', status)
  }
}
