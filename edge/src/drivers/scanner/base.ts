// What the serial and HID drivers share: the status they report, the guard that no event follows stop(),
// and the reconnect loop. A scanner is unplugged and plugged back all the time in a kitchen, so a missing
// device is a state to report (`detached`, with why), never an error that stops the agent.
import { EventEmitter } from 'node:events'
import { type BackoffOptions, backoffDelay, retry, sleep } from '@relais/hardware'
import type { Logger } from 'pino'
import type { DeviceState, ScanRead, ScanSource, ScanSourceEvents } from './types.js'

/** A connection that ended sooner than this is a flap: the next attempt waits a back-off delay first. */
const STABLE_MS = 10_000

export abstract class ReconnectingScanSource extends EventEmitter<ScanSourceEvents> implements ScanSource {
  #status: DeviceState = { state: 'detached', detail: 'not started' }
  #abort: AbortController | undefined
  #attachedAt = 0
  #flaps = 0
  #warned = new Set<string>()
  protected readonly log: Logger
  protected readonly backoff: BackoffOptions

  constructor(
    readonly id: string,
    log: Logger,
    module: string,
    backoff: BackoffOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    super()
    this.log = log.child({ module, device: id })
    // DESIGN: retry against the stable name with back-off, from 500 ms up to 30 s.
    this.backoff = { initialMs: 500, maxMs: 30_000, ...backoff }
  }

  get status(): DeviceState {
    return this.#status
  }

  protected get running(): boolean {
    return this.#abort !== undefined && !this.#abort.signal.aborted
  }

  /** Opens the device, or throws why it cannot; on success the subclass has called attached(). */
  protected abstract open(): Promise<void>
  /** Closes the device if open, removing its listeners first so that nothing is emitted after stop(). */
  protected abstract close(): Promise<void>

  async start(): Promise<void> {
    if (this.running) return
    this.#abort = new AbortController()
    // So the first outcome is always emitted, even when it repeats the last one before a stop().
    this.#status = { state: 'detached', detail: 'starting' }
    await this.connect(this.#abort.signal)
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.#abort?.abort()
    await this.close()
  }

  /** Tries now, then keeps trying in the background; resolves after the first attempt either way. */
  private connect(signal: AbortSignal): Promise<void> {
    return new Promise((firstAttemptDone) => {
      retry(() => this.open(), {
        ...this.backoff,
        signal,
        onError: (err, attempt, delayMs) => {
          if (!signal.aborted) {
            this.detached(describe(err))
            this.log.debug({ attempt, delayMs, err: describe(err) }, 'scanner not available, retrying')
          }
          firstAttemptDone()
        },
      }).then(
        () => firstAttemptDone(),
        (err) => {
          // Only stop() ends the loop (retry has no attempt limit here); anything else is a bug to see.
          if (!signal.aborted) this.log.error({ err }, 'scanner reconnect loop ended')
          firstAttemptDone()
        },
      )
    })
  }

  /** The subclass lost its device (unplugged, read error): report it and start reconnecting. */
  protected lost(detail: string): void {
    if (!this.running || this.#abort === undefined) return
    const signal = this.#abort.signal
    this.detached(detail)
    this.#flaps = this.now() - this.#attachedAt < STABLE_MS ? this.#flaps + 1 : 0
    // A device that opens and fails at once (bad cable, USB hub brown-out) must not spin the loop.
    const pause = this.#flaps > 0 ? backoffDelay(this.#flaps, this.backoff) : 0
    sleep(pause, signal).then(
      () => this.connect(signal),
      () => {},
    )
  }

  protected attached(detail: string): void {
    this.#attachedAt = this.now()
    this.setStatus({ state: 'attached', detail })
  }

  private detached(detail: string): void {
    if (this.#status.state === 'detached' && this.#status.detail === detail) return
    this.setStatus({ state: 'detached', detail })
    this.warn(`scanner detached: ${detail}`)
  }

  private setStatus(status: DeviceState): void {
    if (!this.running) return
    this.#status = status
    this.log.info(status, 'scanner status')
    this.emit('status', status)
  }

  /** One scan per code; empty codes (a CRLF split across reads, a stray Enter) are never emitted. */
  protected scanned(code: string): void {
    if (!this.running || code === '') return
    this.log.debug({ length: code.length }, 'scan')
    this.emit('scan', scanRead(code, this.now()))
  }

  protected warn(message: string): void {
    if (!this.running) return
    this.log.warn(message)
    this.emit('warn', message)
  }

  /** The same problem once per driver instance, not on every reconnect. */
  protected warnOnce(message: string): void {
    if (this.#warned.has(message)) return
    this.#warned.add(message)
    this.warn(message)
  }
}

/** An AIM symbology identifier (ISO/IEC 15424): ']' + code letter + modifier, in front of the data. */
const AIM = /^\][A-Za-z][0-9A-Za-z]/

export function scanRead(code: string, at: number): ScanRead {
  const aim = AIM.exec(code)?.[0]
  return aim === undefined ? { code, at } : { code, at, symbology: aim }
}

/** Why a device cannot be used, in words for ops ('permission denied on /dev/ttyACM0'). */
export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  const path = e?.path ?? 'the device'
  switch (e?.code) {
    case 'ENOENT':
      return `not found: ${path}`
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${path}`
    case 'ENODEV':
    case 'ENXIO':
      return 'unplugged'
    case 'EBUSY':
      return `busy: another program holds ${path}`
  }
  return e instanceof Error ? e.message : String(err)
}
