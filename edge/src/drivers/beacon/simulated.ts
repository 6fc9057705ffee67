// A BLE adapter without hardware, for tests, demos and the simulators: it hears whatever push() is
// given (raw advertising bytes, e.g. from encodeAdvertisement), and can be powered off and on so the
// detached path is exercised too.
import type { Logger } from 'pino'
import { BaseAdvertisementSource } from './status.js'
import type { Advertisement, AdvertisementSource } from './types.js'

export interface SimulatedAdvertiserDeps {
  now?: () => number
}

export class SimulatedAdvertisementSource extends BaseAdvertisementSource implements AdvertisementSource {
  #powered = true
  private readonly now: () => number

  constructor(id: string, log: Logger, deps: SimulatedAdvertiserDeps = {}) {
    super(id, log, 'beacon-simulated')
    this.now = deps.now ?? Date.now
  }

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    this.setStatus(this.#powered ? { state: 'attached', detail: 'simulated' } : this.status, true)
  }

  async stop(): Promise<void> {
    this.running = false
  }

  /** Hears one advertisement (`at` defaults to now); false, and nothing emitted, when stopped or off. */
  push(a: Omit<Advertisement, 'at'> & { at?: number }): boolean {
    if (!this.running || !this.#powered) return false
    this.emit('advertisement', { ...a, at: a.at ?? this.now() })
    return true
  }

  /** The adapter goes off (rfkill, bluetoothctl power off): detached, and nothing heard until powerOn(). */
  powerOff(detail = 'adapter powered off'): void {
    this.#powered = false
    this.setStatus({ state: 'detached', detail })
  }

  powerOn(): void {
    this.#powered = true
    this.setStatus({ state: 'attached', detail: 'simulated' })
  }
}
