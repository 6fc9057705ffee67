// BLE beacon frames: decoders for the three ways a BLE stack hands an advertisement over, what a reader
// derives from a frame, and the encoder the tests and simulators use.
export { decodeAdvertisement } from './advertisement.js'
export { decodeEddystone, EDDYSTONE_SERVICE_UUID } from './eddystone.js'
export { encodeAdvertisement, encodeFrame, encodeUrl } from './encode.js'
export { beaconKey, EDDYSTONE_LOSS_AT_1M_DB, measuredPower } from './identity.js'
export { decodeManufacturerData } from './manufacturer.js'
export type {
  AltBeaconFrame,
  BeaconDecodeFailure,
  BeaconDecodeOk,
  BeaconDecodeReason,
  BeaconDecodeResult,
  BeaconFormat,
  BeaconFrame,
  EddystoneEidFrame,
  EddystoneEtlmFrame,
  EddystoneTlmFrame,
  EddystoneUidFrame,
  EddystoneUrlFrame,
  IBeaconFrame,
} from './types.js'
