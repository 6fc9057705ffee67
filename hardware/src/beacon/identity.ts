// What the reader does with a decoded frame: its identity key (kinds/beacon.ts) and the RSSI it should
// show at 1 m, for distance estimates.
import type { BeaconFrame } from './types.js'

/** Signal lost over the first metre, which Eddystone's 0 m Tx power includes (eddystone-uid/README.md). */
export const EDDYSTONE_LOSS_AT_1M_DB = 41

/**
 * The identity key of `frame` (BEACON_KEY_PATTERN in kinds/beacon.ts), or undefined for frames that are
 * never identities: URL, TLM (plain and encrypted) and the rotating EID.
 */
export function beaconKey(frame: BeaconFrame): string | undefined {
  switch (frame.format) {
    case 'ibeacon':
      return `ibeacon:${frame.uuid.replaceAll('-', '')}:${frame.major}:${frame.minor}`
    case 'altbeacon':
      return `altbeacon:${frame.beacon_id}`
    case 'eddystone-uid':
      return `eddystone:${frame.namespace}:${frame.instance}`
    default:
      return undefined
  }
}

/**
 * The RSSI (dBm) expected at 1 m. iBeacon and AltBeacon carry it as is; Eddystone carries the power at
 * 0 m, 41 dB more. Undefined for TLM frames, which carry no power.
 */
export function measuredPower(frame: BeaconFrame): number | undefined {
  switch (frame.format) {
    case 'ibeacon':
    case 'altbeacon':
      return frame.tx_power
    case 'eddystone-uid':
    case 'eddystone-url':
    case 'eddystone-eid':
      return frame.tx_power - EDDYSTONE_LOSS_AT_1M_DB
    default:
      return undefined
  }
}
