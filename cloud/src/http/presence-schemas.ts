// TypeBox schemas of the presence API (zones, readers, members, beacons, consents, who is present).
// Responses are serialized through them, so nothing they do not name (token hashes, another member's
// data) can reach a client.
import { BEACON_KEY_PATTERN, ID_PATTERN } from '@relais/hardware'
import { Type } from '@sinclair/typebox'
import { ErrorSchema, errorResponses } from './schemas.js'

const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const NullableMs = Type.Union([EpochMs, Type.Null()])
const NullableText = Type.Union([Type.String(), Type.Null()])
const Id = (description: string) => Type.String({ pattern: ID_PATTERN, maxLength: 63, description })
const BeaconKey = Type.String({
  pattern: BEACON_KEY_PATTERN,
  maxLength: 60,
  description: 'beacon identity key',
})

/** The error replies of the presence routes: those of every route plus conflicts and 503. */
export const presenceErrors = { ...errorResponses, 409: ErrorSchema, 503: ErrorSchema }

export const ZoneParams = Type.Object({ zone: Id('zone id') })
export const MemberParams = Type.Object({ member: Id('member pseudonym') })
export const BeaconParams = Type.Object({ member: Id('member pseudonym'), key: BeaconKey })
export const ConsentParams = Type.Object({
  member: Id('member pseudonym'),
  consent: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
})

export const ZoneSchema = Type.Object({ id: Type.String(), name: Type.String(), siteId: NullableText })
export const ZoneBody = Type.Object(
  {
    id: Id('zone id'),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    siteId: Type.Optional(Id('site id')),
  },
  { additionalProperties: false },
)
export const ZoneListResponse = Type.Object({ zones: Type.Array(ZoneSchema) })
export const ReaderBody = Type.Object(
  { agent: Id('agent id'), device: Type.Optional(Id('reader device id; ble-0 when absent')) },
  { additionalProperties: false },
)
export const ReaderSchema = Type.Object({ agent: Type.String(), device: Type.String(), zone: Type.String() })

export const MemberBody = Type.Object(
  { ref: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'opaque to Relais' })) },
  { additionalProperties: false },
)
export const MemberSchema = Type.Object({ id: Type.String(), ref: NullableText, createdAt: EpochMs })
export const MemberCreated = Type.Object({
  member: MemberSchema,
  token: Type.String({ description: "the member's own token, shown once" }),
})
export const BeaconBody = Type.Object({ key: BeaconKey }, { additionalProperties: false })
export const ConsentBody = Type.Object(
  {
    zone: Id('zone id'),
    purpose: Type.Optional(Type.Literal('presence')),
    expiresAt: Type.Optional(EpochMs),
  },
  { additionalProperties: false },
)
export const ConsentSchema = Type.Object({
  id: Type.String(),
  zone: Type.String(),
  purpose: Type.String(),
  grantedAt: EpochMs,
  grantedBy: Type.String(),
  expiresAt: NullableMs,
  revokedAt: NullableMs,
  revokedBy: NullableText,
})

export const MemberDataSchema = Type.Object({
  member: MemberSchema,
  beacons: Type.Array(Type.Object({ key: Type.String(), createdAt: EpochMs })),
  consents: Type.Array(ConsentSchema),
  audit: Type.Array(
    Type.Object({
      action: Type.String(),
      zone: NullableText,
      purpose: NullableText,
      by: Type.String(),
      at: EpochMs,
    }),
  ),
  sessions: Type.Array(
    Type.Object({
      id: Type.String(),
      zone: Type.String(),
      beacon: Type.String(),
      agent: Type.String(),
      device: Type.String(),
      enteredAt: EpochMs,
      leftAt: NullableMs,
      leaveReason: NullableText,
    }),
  ),
})
export const MemberExport = Type.Composite([MemberDataSchema, Type.Object({ exportedAt: EpochMs })])
export const EraseResponse = Type.Object({
  member: Type.String(),
  erased: Type.Literal(true),
  timeSeriesErased: Type.Boolean({ description: 'false: points remain; DELETE again (ops) to retry' }),
})

export const PresentSchema = Type.Object({
  member: Type.String(),
  ref: NullableText,
  since: EpochMs,
  agent: Type.String(),
  device: Type.String(),
})
export const PresentResponse = Type.Object({ zone: ZoneSchema, present: Type.Array(PresentSchema) })
export const PresenceStreamResponse = Type.String({
  description: 'text/event-stream: `event: enter` / `event: leave` with { member, ref, at, agent, device }',
})
