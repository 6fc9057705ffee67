// A button without hardware, for `npm start`, the simulators and end-to-end tests: presses injected by
// code, as raw down/up edges (so the feature's classification runs as it does on a Pi), and a light that
// records what it was told to show. Like the real drivers: status on start, nothing after stop().
import { EventEmitter } from 'node:events'
import type { PressKind } from '@relais/hardware'
import type { LightColor } from '../../feedback/patterns.js'
import type { ButtonInput, ButtonInputEvents, DeviceState } from './types.js'

export interface SimulatedButtonOptions {
  /** The feature's thresholds, so press() makes edges that classify as asked. */
  doubleGapMs: number
  longMs: number
  now?: () => number
}

export class SimulatedButton extends EventEmitter<ButtonInputEvents> implements ButtonInput {
  #status: DeviceState = { state: 'detached', detail: 'not started' }
  #running = false
  private readonly now: () => number
  /** The colour the light shows now. */
  color: LightColor = 'off'
  buzzing = false
  /** Every change of the light, oldest first (bounded), for tests that read a pattern back. */
  readonly lights: Array<{ at: number; color: LightColor }> = []

  constructor(
    readonly id: string,
    private readonly o: SimulatedButtonOptions,
  ) {
    super()
    this.now = o.now ?? Date.now
  }

  get status(): DeviceState {
    return this.#status
  }

  async start(): Promise<void> {
    this.#running = true
    this.#status = { state: 'attached', detail: 'simulated' }
    this.emit('status', this.#status)
  }

  async stop(): Promise<void> {
    this.#running = false
  }

  /** The button goes down now (or at `at`); false when stopped. */
  down(at = this.now()): boolean {
    if (!this.#running || this.#status.state !== 'attached') return false
    this.emit('down', at)
    return true
  }

  up(at = this.now()): boolean {
    if (!this.#running || this.#status.state !== 'attached') return false
    this.emit('up', at)
    return true
  }

  /**
   * One whole press, as edges that ended just now: a single is 100 ms down, a double two of those half
   * the gap apart, a long one held 200 ms past the threshold. A single is classified only once the
   * double-press gap has passed, as on the real button.
   */
  press(kind: PressKind): boolean {
    const t = this.now()
    if (kind === 'long') return this.down(t - this.o.longMs - 200) && this.up(t)
    if (kind === 'single') return this.down(t - 100) && this.up(t)
    const gap = Math.floor(this.o.doubleGapMs / 2)
    return this.down(t - 200 - gap) && this.up(t - 100 - gap) && this.down(t - 100) && this.up(t)
  }

  light(color: LightColor): void {
    this.color = color
    this.lights.push({ at: this.now(), color })
    if (this.lights.length > 1000) this.lights.splice(0, this.lights.length - 1000)
  }

  buzz(on: boolean): void {
    this.buzzing = on
  }

  /** Takes the button away (a cut wire): `detached`, and no presses until plug(). */
  unplug(detail = 'unplugged'): void {
    this.#status = { state: 'detached', detail }
    if (this.#running) this.emit('status', this.#status)
  }

  plug(): void {
    this.#status = { state: 'attached', detail: 'simulated' }
    if (this.#running) this.emit('status', this.#status)
  }
}
