// What every advertisement source shares: the status it reports (always said at start, then on every
// change) and the guard that nothing is emitted after stop().
import { EventEmitter } from 'node:events'
import type { Logger } from 'pino'
import type { AdvertisementSourceEvents, DeviceState } from './types.js'

export abstract class BaseAdvertisementSource extends EventEmitter<AdvertisementSourceEvents> {
  #status: DeviceState = { state: 'detached', detail: 'not started' }
  protected running = false
  protected readonly log: Logger

  constructor(
    readonly id: string,
    log: Logger,
    module: string,
  ) {
    super()
    this.log = log.child({ module, device: id })
  }

  get status(): DeviceState {
    return this.#status
  }

  protected setStatus(status: DeviceState, always = false): void {
    const same = this.#status.state === status.state && this.#status.detail === status.detail
    this.#status = status
    if (!this.running || (same && !always)) return
    this.log.info(status, 'beacon source status')
    this.emit('status', status)
  }
}
