// What the scanner feature needs from a barcode scanner, whatever it is: a USB serial scanner, a HID
// keyboard scanner read from /dev/input, or a simulated one. Features never know which.
import type { EventEmitter } from 'node:events'

/** One code as the scanner delivered it, terminator removed; prefix/suffix are stripped by the feature. */
export interface ScanRead {
  code: string
  /** Epoch ms when the code was read. */
  at: number
  /** AIM symbology identifier when the scanner sends one (e.g. ']E0'), left in `code` too. */
  symbology?: string
}

export interface DeviceState {
  state: 'attached' | 'detached'
  /** Why, for ops: 'unplugged', 'permission denied on /dev/ttyACM0', ... */
  detail?: string
}

export interface ScanSourceEvents {
  scan: [ScanRead]
  status: [DeviceState]
  /** Something went wrong that the driver handles itself (it keeps retrying); for logs. */
  warn: [string]
}

export interface ScanSource extends EventEmitter<ScanSourceEvents> {
  /** The device id in topics, e.g. 'scanner-1'. */
  readonly id: string
  /** Opens the device or starts waiting for it; never rejects because the device is absent. */
  start(): Promise<void>
  stop(): Promise<void>
  /** The last status emitted. */
  readonly status: DeviceState
}
