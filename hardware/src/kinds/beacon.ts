// Beacon reader (in-store or at-door recognition, only with consent): a reader sees BLE beacons and turns
// the sightings of beacons whose owners opted in into presence (DESIGN.md, "Security and privacy").
//
// Privacy is the shape of this contract: a reader is told, in its retained config, which beacon
// identities it may report for its zone; it drops every other advertisement on the device. Events name a
// beacon by its identity key only; the cloud maps keys to pseudonymous members. Nothing else about a
// beacon that was not allowed ever leaves the reader, except a count of "other beacons seen".
import { type Static, Type } from '@sinclair/typebox'

/**
 * A beacon's stable identity, the key allow-lists and events use:
 *   ibeacon:<uuid, 32 lower-case hex>:<major 0-65535>:<minor 0-65535>
 *   altbeacon:<beacon id, 40 lower-case hex>
 *   eddystone:<namespace, 20 hex>:<instance, 12 hex>        (Eddystone-UID)
 * Rotating frames (Eddystone-EID, encrypted TLM) and URL frames are not identities: they are never
 * allow-listed and so never reported.
 */
export const BEACON_KEY_PATTERN =
  '^(ibeacon:[0-9a-f]{32}:[0-9]{1,5}:[0-9]{1,5}|altbeacon:[0-9a-f]{40}|eddystone:[0-9a-f]{20}:[0-9a-f]{12})$'
export const BeaconKeySchema = Type.String({ pattern: BEACON_KEY_PATTERN, maxLength: 60 })
const beaconKeyRe = new RegExp(BEACON_KEY_PATTERN)
export function isBeaconKey(value: unknown): value is string {
  if (typeof value !== 'string' || !beaconKeyRe.test(value)) return false
  if (!value.startsWith('ibeacon:')) return true
  const [, , major, minor] = value.split(':')
  return Number(major) <= 0xffff && Number(minor) <= 0xffff
}

/** Zones and purposes are ids like agents: `shop-door`, `presence`. */
export const ZoneSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })

/**
 * `relais/v1/<agent>/<device>/event/enter`: an allowed beacon is now present at the reader (its smoothed
 * RSSI crossed the enter threshold). `at` is when, in epoch ms at the reader (usually the envelope `ts`).
 */
export const EnterEventSchema = Type.Object(
  {
    beacon: BeaconKeySchema,
    zone: ZoneSchema,
    /** Smoothed RSSI (dBm) when it entered. */
    rssi: Type.Number({ minimum: -127, maximum: 20 }),
    /** Estimated distance (m) from measured power and the reader's calibration. */
    distanceM: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    at: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type EnterEvent = Static<typeof EnterEventSchema>

/**
 * `relais/v1/<agent>/<device>/event/leave`: the beacon is gone (below the leave threshold, or unseen for
 * the leave timeout). `enteredAt` pairs it with its enter; `at` is the last time it was seen present.
 */
export const LeaveEventSchema = Type.Object(
  {
    beacon: BeaconKeySchema,
    zone: ZoneSchema,
    enteredAt: Type.Integer({ minimum: 0 }),
    at: Type.Integer({ minimum: 0 }),
    reason: Type.Union([Type.Literal('timeout'), Type.Literal('weak'), Type.Literal('revoked')]),
  },
  { additionalProperties: false },
)
export type LeaveEvent = Static<typeof LeaveEventSchema>

export const PRESENCE_OUTCOMES = ['recorded', 'duplicate', 'refused'] as const
export type PresenceOutcome = (typeof PRESENCE_OUTCOMES)[number]

/**
 * The reader's section of its agent's retained `config` (`relais/v1/<agent>/config`, data.beacons),
 * one entry per reader device. The allow-list is complete each time: a key missing from it is revoked,
 * and the reader forgets that beacon at once (a `leave` with reason `revoked` is not sent: after
 * revocation nothing more about that beacon leaves the reader).
 */
export const BeaconReaderConfigSchema = Type.Object(
  {
    zone: ZoneSchema,
    allow: Type.Array(BeaconKeySchema, { maxItems: 10_000, uniqueItems: true }),
    /** Hysteresis (dBm, smoothed): present above `enterRssi`, gone below `leaveRssi`. */
    enterRssi: Type.Optional(Type.Number({ minimum: -120, maximum: 0 })),
    leaveRssi: Type.Optional(Type.Number({ minimum: -120, maximum: 0 })),
    /** Gone after this long unseen (s). */
    leaveTimeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  },
  { additionalProperties: false },
)
export type BeaconReaderConfig = Static<typeof BeaconReaderConfigSchema>

/** data.beacons of the agent's config: reader device id -> its section. */
export const BeaconsConfigSchema = Type.Record(
  Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }),
  BeaconReaderConfigSchema,
  { maxProperties: 16 },
)
export type BeaconsConfig = Static<typeof BeaconsConfigSchema>
