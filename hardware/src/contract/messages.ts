// Payload schemas per topic, the typed half of the contract: what `data` holds on each topic.
import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { BeaconsConfigSchema, EnterEventSchema, LeaveEventSchema } from '../kinds/beacon.js'
import { AckPickupSchema, PickupCmdSchema, PressEventSchema } from '../kinds/button.js'
import { AckItemSchema, ScanEventSchema } from '../kinds/scanner.js'

export const AgentStatusSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type AgentStatus = Static<typeof AgentStatusSchema>

export const DeviceInfoSchema = Type.Object(
  { id: Type.String({ maxLength: 63 }), kind: Type.String({ maxLength: 40 }) },
  { additionalProperties: false },
)
export const InfoSchema = Type.Object(
  {
    version: Type.String({ maxLength: 40 }),
    configHash: Type.String({ maxLength: 128 }),
    devices: Type.Array(DeviceInfoSchema, { maxItems: 64 }),
    platform: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)
export type Info = Static<typeof InfoSchema>

/** Numbers only, by name; agents add fields as their drivers learn to measure them. */
export const HealthSchema = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,40}$' }),
  Type.Union([Type.Number(), Type.String({ maxLength: 100 }), Type.Boolean(), Type.Null()]),
  { maxProperties: 64 },
)
export type Health = Static<typeof HealthSchema>

export const DeviceStatusSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('attached'), Type.Literal('detached')]),
    kind: Type.Optional(Type.String({ maxLength: 40 })),
    detail: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const TelemetrySchema = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,40}$' }),
  Type.Number(),
  { maxProperties: 64 },
)

/** The agent's desired config, pushed retained by the cloud; sections per device kind. */
export const ConfigSchema = Type.Object(
  { revision: Type.Integer({ minimum: 0 }), beacons: Type.Optional(BeaconsConfigSchema) },
  { additionalProperties: true },
)

/** `cmd/ack`: the outcome of one event, sent with `corr` = the event id (DESIGN.md, delivery rule 4). */
export const AckSchema = Type.Object(
  {
    outcome: Type.String({ pattern: '^[a-z_]{1,40}$' }),
    reason: Type.Optional(Type.String({ maxLength: 60 })),
    detail: Type.Optional(Type.String({ maxLength: 300 })),
    /** The event had been applied before; this ack repeats the outcome it had then. */
    replayed: Type.Optional(Type.Boolean()),
    item: Type.Optional(AckItemSchema),
    pickup: Type.Optional(AckPickupSchema),
  },
  { additionalProperties: false },
)
export type Ack = Static<typeof AckSchema>

export const EmptySchema = Type.Object({}, { additionalProperties: false })

/** Events by name (`.../<device>/event/<name>`). Device kinds add theirs here. */
export const eventSchemas: Readonly<Record<string, TSchema>> = {
  scan: ScanEventSchema,
  press: PressEventSchema,
  enter: EnterEventSchema,
  leave: LeaveEventSchema,
}

/** Commands by name (`.../[<device>/]cmd/<name>`). */
export const cmdSchemas: Readonly<Record<string, TSchema>> = {
  ack: AckSchema,
  identify: EmptySchema,
  rebirth: EmptySchema,
  pickup: PickupCmdSchema,
}

export const agentTopicSchemas = {
  status: AgentStatusSchema,
  info: InfoSchema,
  health: HealthSchema,
  config: ConfigSchema,
} as const satisfies Record<string, TSchema>
