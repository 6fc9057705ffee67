// Barcode scanner drivers behind one interface (ScanSource). The scanner feature gets one from
// createScanSource() and never knows which kind it has; prefix and suffix are stripped by the feature.
import type { Logger } from 'pino'
import type { ScannerConfig } from '../../config/schema.js'
import { type HidDeps, HidScanner } from './hid.js'
import { type SerialDeps, SerialScanner } from './serial.js'
import { type SimulatedDeps, SimulatedScanner } from './simulated.js'
import type { ScanSource } from './types.js'

export {
  EVIOCGRAB,
  type EventDevice,
  type GrabFn,
  type HidDeps,
  HidScanner,
  type HidScannerConfig,
} from './hid.js'
export { KeyDecoder, type KeyDecoderOptions, keyChar } from './hid-keymap.js'
export {
  EV_KEY,
  EV_MSC,
  EV_SYN,
  encodeInputEvent,
  type InputEvent,
  parseInputEvent,
  RecordSplitter,
  recordSizeFor,
} from './input-event.js'
export { MAX_PENDING_BYTES, type SerialDeps, SerialScanner, type SerialScannerConfig } from './serial.js'
export { type SimulatedDeps, SimulatedScanner, type SimulatedScannerConfig } from './simulated.js'
export type { DeviceState, ScanRead, ScanSource, ScanSourceEvents } from './types.js'

export interface ScanSourceDeps {
  serial?: SerialDeps
  hid?: HidDeps
  simulated?: SimulatedDeps
}

/** The driver `config.driver` names, with its section of the config; throws if that section is missing. */
export function createScanSource(config: ScannerConfig, log: Logger, deps: ScanSourceDeps = {}): ScanSource {
  switch (config.driver) {
    case 'serial':
      return new SerialScanner(config.id, section(config, 'serial'), log, deps.serial)
    case 'hid':
      return new HidScanner(config.id, section(config, 'hid'), log, deps.hid)
    case 'simulated':
      // Nothing to configure is a valid simulated scanner: it scans only what push() gives it.
      return new SimulatedScanner(
        config.id,
        config.simulated ?? { codes: [], intervalMs: 10_000 },
        log,
        deps.simulated,
      )
  }
}

function section<K extends 'serial' | 'hid'>(config: ScannerConfig, key: K): NonNullable<ScannerConfig[K]> {
  const value = config[key]
  if (value === undefined) throw new Error(`scanner ${config.id}: driver '${key}' needs a '${key}' section`)
  return value as NonNullable<ScannerConfig[K]>
}
