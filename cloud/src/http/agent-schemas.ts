// TypeBox schemas of the fleet registry API (/api/agents, ops tokens only). Responses are serialized
// through them, so a secret hash, a session id or a health field never leaves by accident; the secret
// itself appears only in the answers that issue it (create, rotate), once.
import { ID_PATTERN } from '@relais/hardware'
import { Type } from '@sinclair/typebox'
import { DeviceViewSchema } from './device-schemas.js'

const Id = Type.String({ pattern: ID_PATTERN })
const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const NullableMs = Type.Union([EpochMs, Type.Null()])
const NullableCount = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])
const Kind = Type.Union([Type.Literal('scanner'), Type.Literal('button'), Type.Literal('beacon')])

export const AgentParams = Type.Object({ agent: Id }, { additionalProperties: false })

export const AgentListQuery = Type.Object(
  {
    tag: Type.Optional(Id),
    kind: Type.Optional(Kind),
    revoked: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
)

export const RegistryAgentSchema = Type.Object({
  agent: Type.String(),
  kind: Nullable(Type.String()),
  householdId: Nullable(Type.String()),
  siteId: Nullable(Type.String()),
  zoneId: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  createdAt: EpochMs,
  revokedAt: NullableMs,
  credentialsAt: NullableMs,
  firmwareVersion: Nullable(Type.String({ description: 'from its birth; live when connected' })),
  configHash: Nullable(Type.String()),
  reportedAt: NullableMs,
  online: Type.Boolean(),
  lastSeen: NullableMs,
  pending: NullableCount,
  dropped: NullableCount,
  devices: Type.Array(DeviceViewSchema),
})

export const AgentListResponse = Type.Object({ agents: Type.Array(RegistryAgentSchema) })

export const CreateAgentBody = Type.Object(
  {
    id: Id,
    kind: Type.Optional(Kind),
    household: Type.Optional(Id),
    site: Type.Optional(Id),
    zone: Type.Optional(Id),
    tags: Type.Optional(Type.Array(Id, { maxItems: 32 })),
    brokerUrl: Type.Optional(
      Type.String({ pattern: '^mqtts?://[^/]+', description: 'as the Pi reaches the broker' }),
    ),
    caFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

export const CreateAgentResponse = Type.Object({
  agent: RegistryAgentSchema,
  username: Type.String(),
  secret: Type.String({ description: 'shown once; only its hash is stored' }),
  config: Type.Union([
    Type.Object({}, { additionalProperties: true, description: "the agent's config file" }),
    Type.Null(),
  ]),
})

export const RotateResponse = Type.Object({
  agent: Type.String(),
  username: Type.String(),
  secret: Type.String({ description: 'shown once; the old secret stopped working' }),
})

export const RevokeResponse = Type.Object({
  agent: Type.String(),
  revoked: Type.Literal(true),
  revokedAt: EpochMs,
})

export const TagsBody = Type.Object(
  {
    add: Type.Optional(Type.Array(Id, { maxItems: 32 })),
    remove: Type.Optional(Type.Array(Id, { maxItems: 32 })),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const TagsResponse = Type.Object({ agent: Type.String(), tags: Type.Array(Type.String()) })
