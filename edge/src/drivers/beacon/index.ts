// BLE advertisement sources behind one interface (AdvertisementSource). The beacon reader feature gets
// one from createAdvertisementSource() and never knows which kind it has.
import type { Logger } from 'pino'
import type { BeaconReaderDeviceConfig } from '../../config/schema.js'
import { BeaconError } from './errors.js'
import { NobleAdvertisementSource, type NobleDeps } from './noble.js'
import { ReplayAdvertisementSource, type ReplayDeps } from './replay.js'
import { SimulatedAdvertisementSource, type SimulatedAdvertiserDeps } from './simulated.js'
import type { AdvertisementSource } from './types.js'

export { type Clock, realClock } from './clock.js'
export {
  loadNoble,
  NobleAdvertisementSource,
  type NobleDeps,
  type NobleLike,
  type NoblePeripheral,
} from './noble.js'
export { parseReplay, ReplayAdvertisementSource, type ReplayDeps, type ReplayRecord } from './replay.js'
export { SimulatedAdvertisementSource, type SimulatedAdvertiserDeps } from './simulated.js'
export type { Advertisement, AdvertisementSource, AdvertisementSourceEvents } from './types.js'

export interface AdvertisementSourceDeps {
  noble?: NobleDeps
  replay?: ReplayDeps
  simulated?: SimulatedAdvertiserDeps
}

/** The source `config.source` names; throws BeaconError when its section is missing. */
export function createAdvertisementSource(
  config: BeaconReaderDeviceConfig,
  log: Logger,
  deps: AdvertisementSourceDeps = {},
): AdvertisementSource {
  switch (config.source) {
    case 'noble':
      return new NobleAdvertisementSource(config.id, config.noble ?? {}, log, deps.noble)
    case 'replay':
      if (config.replay === undefined)
        throw new BeaconError(
          'beacon_source_config',
          `beacon reader ${config.id}: source 'replay' needs a 'replay' section`,
        )
      return new ReplayAdvertisementSource(config.id, config.replay, log, deps.replay)
    case 'simulated':
      return new SimulatedAdvertisementSource(config.id, log, deps.simulated)
  }
}
