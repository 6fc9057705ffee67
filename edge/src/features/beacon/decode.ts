// One advertisement to a beacon frame, with the decoders of the contract package (hardware/src/beacon):
// raw AD bytes when the source has them, else the pieces a BLE stack parsed out (noble). Rejections are
// split in two: most of what a reader hears (phones, watches, headphones) is simply not a beacon; a
// damaged beacon frame is a decode error, counted in telemetry.
import {
  type BeaconDecodeReason,
  type BeaconDecodeResult,
  decodeAdvertisement,
  decodeEddystone,
  decodeManufacturerData,
} from '@relais/hardware'
import type { Advertisement } from '../../drivers/beacon/types.js'

const NO_DATA: BeaconDecodeResult = Object.freeze({ ok: false, reason: 'ad: empty' })

/** Rejections that mean "another kind of device", not "a beacon frame gone wrong". */
const NOT_A_BEACON: ReadonlySet<BeaconDecodeReason> = new Set<BeaconDecodeReason>([
  'ad: empty',
  'ad: no beacon data',
  'mfg: not a beacon',
  'mfg: truncated',
])

export function isNotABeacon(reason: BeaconDecodeReason): boolean {
  return NOT_A_BEACON.has(reason)
}

const isEddystoneUuid = (uuid: string) => uuid === 'feaa' || uuid.startsWith('0000feaa-')

export function decodeAdvert(a: Advertisement): BeaconDecodeResult {
  if (a.data !== undefined) return decodeAdvertisement(a.data)
  let r: BeaconDecodeResult = NO_DATA
  if (a.manufacturerData !== undefined && a.manufacturerData.length > 0) {
    r = decodeManufacturerData(a.manufacturerData)
    if (r.ok || !isNotABeacon(r.reason)) return r
  }
  if (a.serviceData !== undefined)
    for (const s of a.serviceData) if (isEddystoneUuid(s.uuid.toLowerCase())) return decodeEddystone(s.data)
  return r
}
