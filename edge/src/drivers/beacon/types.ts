// What the beacon reader feature needs from a BLE scanner, whatever it is: noble on the Pi's adapter, a
// recorded capture replayed, or a simulated one driven by code (STYLE: drivers behind small interfaces).
// Sources hand over advertisements as heard; decoding and the allow-list are the feature's business.
import type { EventEmitter } from 'node:events'
import type { DeviceState } from '../scanner/types.js'

export type { DeviceState }

/** One advertisement as heard. Sources give raw AD bytes when they have them, else the parsed pieces. */
export interface Advertisement {
  /** The advertiser's address as the stack reports it (often random and rotating: never an identity). */
  address: string
  /** Received signal strength, dBm. */
  rssi: number
  /** Epoch ms when it was heard. */
  at: number
  /** Raw advertising data (AD structures), from replays, simulators and raw HCI. */
  data?: Uint8Array
  /** Manufacturer specific data (AD type 0xFF), company id first, as BlueZ/noble parse it. */
  manufacturerData?: Uint8Array
  /** Service data (AD type 0x16) by 16-bit service UUID (lower-case hex, e.g. 'feaa' for Eddystone). */
  serviceData?: ReadonlyArray<{ uuid: string; data: Uint8Array }>
}

export interface AdvertisementSourceEvents {
  advertisement: [Advertisement]
  /** attached: scanning; detached with why (adapter powered off, unauthorized, no adapter, ...). */
  status: [DeviceState]
  /** Something the source handles itself (it keeps trying); for logs. */
  warn: [string]
}

export interface AdvertisementSource extends EventEmitter<AdvertisementSourceEvents> {
  /** The reader's device id in topics, e.g. 'ble-0'. */
  readonly id: string
  /** Starts scanning or waiting for the adapter; never rejects because the adapter is absent or off. */
  start(): Promise<void>
  stop(): Promise<void>
  /** The last status emitted. */
  readonly status: DeviceState
}
