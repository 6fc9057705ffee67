// Pickup button drivers behind one interface (ButtonInput). The button feature gets one from
// createButtonInput() and never knows which kind it has.
import type { Logger } from 'pino'
import type { ButtonConfig } from '../../config/schema.js'
import { JohnnyFiveButton, type JohnnyFiveButtonDeps } from './johnny-five.js'
import { SimulatedButton } from './simulated.js'
import type { ButtonInput } from './types.js'

export { JohnnyFiveButton, type JohnnyFiveButtonDeps } from './johnny-five.js'
export { LinuxIO, type LinuxIoOptions } from './linux-io.js'
export { SimulatedButton, type SimulatedButtonOptions } from './simulated.js'
export type { ButtonInput, ButtonInputEvents } from './types.js'

/** The driver `config.io` names: johnny-five on the linux or Firmata IO, or the simulated button. */
export function createButtonInput(
  config: ButtonConfig,
  log: Logger,
  deps: JohnnyFiveButtonDeps = {},
): ButtonInput {
  if (config.io === 'simulated') return new SimulatedButton(config.id, config)
  return new JohnnyFiveButton(config.id, config, log, deps)
}
