// What the beacon decoders return. Field names are snake_case because they are printed as JSON as they
// are (`relais-agent beacon-decode`) and other tools read them; keep them exactly.

/** Apple iBeacon: manufacturer data of company 0x004C, type 0x02, length 0x15. */
export interface IBeaconFrame {
  format: 'ibeacon'
  /** Canonical 8-4-4-4-12 lower-case. */
  uuid: string
  major: number
  minor: number
  /** Measured power: RSSI (dBm) at 1 m, signed. */
  tx_power: number
}

/** AltBeacon v1.0: manufacturer data of any company, beacon code 0xBEAC. */
export interface AltBeaconFrame {
  format: 'altbeacon'
  company_id: number
  /** 20 bytes, 40 lower-case hex. */
  beacon_id: string
  /** Reference RSSI (dBm) at 1 m, signed. */
  tx_power: number
  /** The manufacturer's reserved byte, 0-255, meaning defined by `company_id`. */
  mfg_reserved: number
}

/** Eddystone-UID (frame type 0x00). */
export interface EddystoneUidFrame {
  format: 'eddystone-uid'
  /** 10 bytes, 20 lower-case hex. */
  namespace: string
  /** 6 bytes, 12 lower-case hex. */
  instance: string
  /** Calibrated Tx power at 0 m (dBm), signed. */
  tx_power: number
}

/** Eddystone-URL (frame type 0x10), the URL expanded. */
export interface EddystoneUrlFrame {
  format: 'eddystone-url'
  url: string
  /** At 0 m, as for UID. */
  tx_power: number
}

/** Eddystone-TLM unencrypted (frame type 0x20, version 0x00). */
export interface EddystoneTlmFrame {
  format: 'eddystone-tlm'
  version: 0
  /** Battery (mV); null when the beacon says "not supported" (0, tlm-plain.md). */
  battery_mv: number | null
  /** Degrees Celsius from 8.8 fixed point; null for 0x8000, "not supported" (tlm-plain.md). */
  temperature_c: number | null
  /** Advertising PDUs sent since power-on or reboot. */
  adv_count: number
  /** Time since power-on or reboot, in 0.1 s. */
  sec_count: number
  /** sec_count in seconds. */
  uptime_s: number
}

/** Eddystone-TLM encrypted (frame type 0x20, version 0x01): opaque without the beacon's identity key. */
export interface EddystoneEtlmFrame {
  format: 'eddystone-etlm'
  /** 12 bytes, 24 hex. */
  etlm: string
  /** 2 bytes, 4 hex. */
  salt: string
  /** 2 bytes, 4 hex. */
  mic: string
}

/** Eddystone-EID (frame type 0x30): a rotating identifier, never an identity. */
export interface EddystoneEidFrame {
  format: 'eddystone-eid'
  /** 8 bytes, 16 hex. */
  eid: string
  /** At 0 m, as for UID. */
  tx_power: number
}

export type BeaconFrame =
  | IBeaconFrame
  | AltBeaconFrame
  | EddystoneUidFrame
  | EddystoneUrlFrame
  | EddystoneTlmFrame
  | EddystoneEtlmFrame
  | EddystoneEidFrame

export type BeaconFormat = BeaconFrame['format']

/**
 * Why bytes are not a beacon frame. Stable strings (tests, logs and the CLI show them), constant so that
 * a rejection, the common case for a reader hearing every phone and watch around, builds nothing.
 */
export type BeaconDecodeReason =
  | 'ad: empty'
  | 'ad: structure runs past the end'
  | 'ad: no beacon data'
  | 'mfg: truncated'
  | 'mfg: not a beacon'
  | 'ibeacon: wrong company id'
  | 'ibeacon: wrong length byte'
  | 'ibeacon: truncated'
  | 'ibeacon: over-long'
  | 'altbeacon: truncated'
  | 'altbeacon: over-long'
  | 'eddystone: empty'
  | 'eddystone: unknown frame type'
  | 'eddystone-uid: truncated'
  | 'eddystone-uid: over-long'
  | 'eddystone-url: truncated'
  | 'eddystone-url: over-long'
  | 'eddystone-url: unknown scheme'
  | 'eddystone-url: invalid URL byte'
  | 'eddystone-tlm: truncated'
  | 'eddystone-tlm: over-long'
  | 'eddystone-tlm: unknown version'
  | 'eddystone-etlm: truncated'
  | 'eddystone-etlm: over-long'
  | 'eddystone-eid: truncated'
  | 'eddystone-eid: over-long'

export interface BeaconDecodeOk {
  readonly ok: true
  readonly frame: BeaconFrame
}
export interface BeaconDecodeFailure {
  readonly ok: false
  readonly reason: BeaconDecodeReason
}
export type BeaconDecodeResult = BeaconDecodeOk | BeaconDecodeFailure

const failures = new Map<BeaconDecodeReason, BeaconDecodeFailure>()
/** The one frozen failure object per reason: rejecting allocates nothing after the first time. */
export function failure(reason: BeaconDecodeReason): BeaconDecodeFailure {
  let f = failures.get(reason)
  if (f === undefined) {
    f = Object.freeze({ ok: false, reason })
    failures.set(reason, f)
  }
  return f
}
