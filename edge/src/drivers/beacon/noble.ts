// The Pi's BLE adapter through @stoprocent/noble (DESIGN.md, hardware notes: a noble fork with prebuilt
// bindings, an optional dependency, imported lazily only when a reader is configured with it). Scans
// with allowDuplicates on, so every advertisement (and its RSSI) arrives, not only the first per
// address. The adapter's state is the device status: powered off, unauthorized (no CAP_NET_RAW), no
// adapter. noble missing is a status too, with how to install it in the log; start() never rejects.
import { backoffDelay } from '@relais/hardware'
import type { Logger } from 'pino'
import { BeaconError } from './errors.js'
import { BaseAdvertisementSource } from './status.js'
import type { AdvertisementSource, DeviceState } from './types.js'

/** The part of noble this source uses (typed here: the package is optional, its types may be absent). */
export interface NobleLike {
  readonly state: string
  on(event: 'stateChange', fn: (state: string) => void): unknown
  on(event: 'discover', fn: (p: NoblePeripheral) => void): unknown
  on(event: 'scanStop', fn: () => void): unknown
  removeListener(event: 'stateChange', fn: (state: string) => void): unknown
  removeListener(event: 'discover', fn: (p: NoblePeripheral) => void): unknown
  removeListener(event: 'scanStop', fn: () => void): unknown
  startScanningAsync(serviceUuids?: string[], allowDuplicates?: boolean): Promise<void>
  stopScanningAsync(): Promise<void>
}

export interface NoblePeripheral {
  id: string
  address: string
  rssi: number
  advertisement: {
    manufacturerData?: Buffer
    serviceData?: Array<{ uuid: string; data: Buffer }>
  }
}

export interface NobleOptions {
  /** hciN to use (NOBLE_HCI_DEVICE_ID); the first adapter when absent. */
  hciDevice?: number
}

export interface NobleDeps {
  /** Loads noble; tests pass a fake. */
  load?: () => Promise<NobleLike>
  now?: () => number
}

const PACKAGE = '@stoprocent/noble'

const STATE_DETAIL: Record<string, string> = {
  poweredOff: 'adapter powered off',
  unauthorized: 'unauthorized: the agent needs CAP_NET_RAW (hardware/devices/beacon/README.md)',
  unsupported: 'no BLE adapter',
  resetting: 'adapter resetting',
  unknown: 'adapter state unknown',
}

export async function loadNoble(o: NobleOptions): Promise<NobleLike> {
  if (o.hciDevice !== undefined) process.env.NOBLE_HCI_DEVICE_ID = String(o.hciDevice)
  // A specifier in a variable: neither tsc nor esbuild resolves it, so agents without BLE need no noble.
  const specifier: string = PACKAGE
  try {
    const m = (await import(specifier)) as { default?: NobleLike } & NobleLike
    return m.default ?? m
  } catch (err) {
    throw new BeaconError(
      'beacon_noble_missing',
      `${PACKAGE} could not be loaded (${(err as Error).message}); install it beside the agent with ` +
        `\`npm install ${PACKAGE}\` (it is an optional dependency with prebuilt binaries for linux-arm64)`,
      { cause: err },
    )
  }
}

export class NobleAdvertisementSource extends BaseAdvertisementSource implements AdvertisementSource {
  private noble?: NobleLike
  private readonly now: () => number
  private scanning = false
  private attempt = 0
  private retryTimer?: NodeJS.Timeout
  private readonly onState = (s: string) => void this.adapterState(s)
  private readonly onScanStop = () => {
    // BlueZ stops a scan on its own now and then (another client, adapter reset): start it again.
    this.scanning = false
    if (this.running && this.noble?.state === 'poweredOn') void this.adapterState('poweredOn')
  }
  private readonly onDiscover = (p: NoblePeripheral) => {
    if (!this.running) return
    const ad = p.advertisement
    this.emit('advertisement', {
      address: p.address || p.id,
      rssi: p.rssi,
      at: this.now(),
      manufacturerData: ad.manufacturerData,
      serviceData: ad.serviceData,
    })
  }

  constructor(
    id: string,
    private readonly options: NobleOptions,
    log: Logger,
    private readonly deps: NobleDeps = {},
  ) {
    super(id, log, 'beacon-noble')
    this.now = deps.now ?? Date.now
  }

  async start(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      this.noble ??= await (this.deps.load ?? (() => loadNoble(this.options)))()
    } catch (err) {
      const code = (err as { code?: string }).code
      this.log.error({ code, err: (err as Error).message }, 'BLE scanning unavailable')
      this.setStatus({ state: 'detached', detail: `${PACKAGE} not installed` }, true)
      return
    }
    this.noble.on('stateChange', this.onState)
    this.noble.on('discover', this.onDiscover)
    this.noble.on('scanStop', this.onScanStop)
    await this.adapterState(this.noble.state, true)
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    clearTimeout(this.retryTimer)
    const n = this.noble
    if (n === undefined) return
    n.removeListener('stateChange', this.onState)
    n.removeListener('discover', this.onDiscover)
    n.removeListener('scanStop', this.onScanStop)
    if (this.scanning) {
      this.scanning = false
      await n
        .stopScanningAsync()
        .catch((err: Error) => this.log.warn({ err: err.message }, 'stop scanning failed'))
    }
  }

  private async adapterState(state: string, always = false): Promise<void> {
    if (!this.running || this.noble === undefined) return
    if (state !== 'poweredOn') {
      this.scanning = false
      this.setStatus({ state: 'detached', detail: STATE_DETAIL[state] ?? `adapter ${state}` }, always)
      return
    }
    if (this.scanning) return
    try {
      // No service filter (iBeacon and AltBeacon advertise none); duplicates on for RSSI tracking.
      await this.noble.startScanningAsync([], true)
      this.scanning = true
      this.attempt = 0
      this.setStatus({ state: 'attached', detail: 'scanning' }, always)
    } catch (err) {
      const status: DeviceState = {
        state: 'detached',
        detail: `scan refused: ${(err as Error).message}`.slice(0, 200),
      }
      this.setStatus(status, always)
      this.emit('warn', status.detail ?? 'scan refused')
      // The adapter says it is on but refused: try again with back-off (the one retry helper).
      this.attempt++
      clearTimeout(this.retryTimer)
      this.retryTimer = setTimeout(
        () => void this.adapterState(this.noble?.state ?? 'unknown'),
        backoffDelay(this.attempt, { initialMs: 1000, maxMs: 60_000 }),
      )
      this.retryTimer.unref()
    }
  }
}
