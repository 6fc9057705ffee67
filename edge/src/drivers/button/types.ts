// What the button feature needs from a pickup button, whatever it is: a gpio-key and gpio-leds on the
// Pi (our linux IO plugin under johnny-five), an Arduino with StandardFirmata, or a simulated one.
// Features never know which (STYLE: drivers behind small interfaces).
import type { EventEmitter } from 'node:events'
import type { LightOutput } from '../../feedback/light-player.js'
import type { DeviceState } from '../scanner/types.js'

export type { DeviceState }

export interface ButtonInputEvents {
  /** The button went down / came up, at this time (epoch ms). Press kinds are the feature's business. */
  down: [number]
  up: [number]
  status: [DeviceState]
}

export interface ButtonInput extends EventEmitter<ButtonInputEvents>, LightOutput {
  /** The device id in topics, e.g. 'button'. */
  readonly id: string
  /** Opens the device or starts waiting for it; never rejects because the device is absent. */
  start(): Promise<void>
  stop(): Promise<void>
  /** The last status emitted. */
  readonly status: DeviceState
}
