// TypeBox schemas of the pickups API (sites, depots, couriers, rounds, pickups, buttons, webhook queue).
// They describe the same shapes as domains/pickups/views.ts; responses are serialized through them, so
// no column they do not name (token hashes, agent secrets, another site's data) can reach a client.
import { ID_PATTERN, PICKUP_STATES } from '@relais/hardware'
import { type Static, Type } from '@sinclair/typebox'
import { DeviceViewSchema } from './device-schemas.js'

const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Id = (description: string) => Type.String({ pattern: ID_PATTERN, maxLength: 63, description })
const Lat = Type.Number({ minimum: -90, maximum: 90 })
const Lon = Type.Number({ minimum: -180, maximum: 180 })
// The reason travels to the button in its ack, whose schema caps it at 200 characters.
const REASON_MAX = 200
/** \S: a text of spaces only would be empty once trimmed. */
const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', description })

export const PickupStateSchema = Type.Union(PICKUP_STATES.map((s) => Type.Literal(s)))
const Window = Type.Object({ from: EpochMs, to: EpochMs })

// Params -------------------------------------------------------------------------------------------------

export const SiteParams = Type.Object({ site: Id('site id') })
export const CourierParams = Type.Object({ courier: Id('courier id') })
export const PickupParams = Type.Object({
  pickup: Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'request id',
  }),
})

// Queries ------------------------------------------------------------------------------------------------

export const Day = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
  description: 'local calendar day (RELAIS_TZ), YYYY-MM-DD; today when absent',
})
export const DayQuery = Type.Object({ day: Type.Optional(Day) }, { additionalProperties: false })
export const PickupListQuery = Type.Object(
  {
    state: Type.Optional(PickupStateSchema),
    site: Type.Optional(Id('only this site')),
    limit: Type.Optional(
      Type.String({ pattern: '^[1-9]\\d{0,3}$', description: '1 to 1000; 100 by default' }),
    ),
  },
  { additionalProperties: false },
)
export const DeliveryListQuery = Type.Object(
  {
    pending: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    limit: Type.Optional(
      Type.String({ pattern: '^[1-9]\\d{0,3}$', description: '1 to 1000; 100 by default' }),
    ),
  },
  { additionalProperties: false },
)

// Bodies -------------------------------------------------------------------------------------------------

export const CollectedBody = Type.Object(
  { note: Type.Optional(Text(REASON_MAX, "the courier's note")) },
  { additionalProperties: false },
)
export const ReasonBody = Type.Object(
  { reason: Text(REASON_MAX, 'shown to the customer and on the button') },
  { additionalProperties: false },
)
export const SiteBody = Type.Object(
  {
    id: Id('site id'),
    name: Type.Optional(Text(120)),
    address: Text(300),
    lat: Lat,
    lon: Lon,
    notes: Type.Optional(Type.String({ maxLength: 500 })),
    contact: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export const DepotBody = Type.Object(
  { id: Id('depot id'), name: Type.Optional(Text(120)), address: Text(300), lat: Lat, lon: Lon },
  { additionalProperties: false },
)
export const CourierBody = Type.Object(
  {
    id: Id('courier id'),
    depot: Id('its depot'),
    name: Type.Optional(Text(120)),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    shift: Type.Optional(
      Type.String({ maxLength: 11, description: 'HH:MM-HH:MM local (RELAIS_TZ); 08:00-18:00 by default' }),
    ),
    speedKmh: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 200 })),
    serviceS: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    windowMin: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })),
  },
  { additionalProperties: false },
)

// Responses ----------------------------------------------------------------------------------------------

export const TransitionSchema = Type.Object({
  from: Nullable(Type.String()),
  to: Type.String(),
  at: EpochMs,
  by: Type.String({ description: "'agent/device', 'courier:<id>', 'ops:<token id>', 'site:<id>', 'system'" }),
  reason: Nullable(Type.String()),
})

export const PickupSchema = Type.Object({
  id: Type.String(),
  siteId: Type.String(),
  agentId: Type.String(),
  deviceId: Type.String(),
  state: PickupStateSchema,
  requestedAt: EpochMs,
  updatedAt: EpochMs,
  window: Nullable(Window),
  reason: Nullable(Type.String({ description: "why it closed, or the courier's note" })),
  roundId: Nullable(Type.String()),
  transitions: Type.Optional(Type.Array(TransitionSchema)),
})
export const PickupListResponse = Type.Object({ pickups: Type.Array(PickupSchema) })

export const SiteSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  notes: Nullable(Type.String()),
  contact: Nullable(Type.String()),
  courierId: Nullable(Type.String()),
})
export const SiteListResponse = Type.Object({ sites: Type.Array(SiteSchema) })

export const SiteButtonSchema = Type.Object({
  agent: Type.String(),
  device: Nullable(Type.String({ description: 'null until the agent has announced its devices' })),
  online: Type.Boolean({ description: 'the agent is connected; false when the cloud has not heard it' }),
})
export const SitePickupsResponse = Type.Object({
  site: SiteSchema,
  current: Nullable(PickupSchema),
  history: Type.Array(PickupSchema, { description: 'newest first, with transitions' }),
  buttons: Type.Array(SiteButtonSchema),
})

export const DepotSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
})
export const DepotListResponse = Type.Object({ depots: Type.Array(DepotSchema) })

export const CourierSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  depotId: Type.String(),
  phone: Nullable(Type.String()),
  shiftStart: Type.String({ description: 'HH:MM local (RELAIS_TZ)' }),
  shiftEnd: Type.String({ description: 'HH:MM local (RELAIS_TZ)' }),
  speedKmh: Type.Number(),
  serviceS: Type.Integer(),
  windowMin: Type.Integer(),
  retired: Type.Boolean(),
})
export const CourierListResponse = Type.Object({ couriers: Type.Array(CourierSchema) })

export const StopSchema = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  arrival: EpochMs,
  window: Window,
  mapUrl: Type.String(),
  site: SiteSchema,
  request: PickupSchema,
})
export const RoundSchema = Type.Object({
  id: Type.String(),
  courierId: Type.String(),
  day: Type.String(),
  depot: DepotSchema,
  startsAt: EpochMs,
  endsAt: EpochMs,
  lengthM: Type.Number({ minimum: 0 }),
  revision: Type.Integer({ minimum: 0 }),
  plannedAt: EpochMs,
  stops: Type.Array(StopSchema, { description: 'open stops in visiting order' }),
  done: Type.Array(PickupSchema, { description: 'collected or not found, in the order served' }),
})

export const RoundSummarySchema = Type.Object({
  courier: Type.Object({ id: Type.String(), name: Type.String(), depotId: Type.String() }),
  round: Nullable(
    Type.Object({
      id: Type.String(),
      startsAt: EpochMs,
      endsAt: EpochMs,
      lengthM: Type.Number({ minimum: 0 }),
      revision: Type.Integer({ minimum: 0 }),
      plannedAt: EpochMs,
    }),
  ),
  open: Type.Integer({ minimum: 0, description: 'requested or scheduled requests on the round' }),
  collected: Type.Integer({ minimum: 0 }),
  notFound: Type.Integer({ minimum: 0 }),
  closed: Type.Integer({ minimum: 0, description: 'cancelled or expired while on the round' }),
})
export const RoundsResponse = Type.Object({
  day: Type.String(),
  rounds: Type.Array(RoundSummarySchema, { description: 'every active courier, a null round if unplanned' }),
})

export const ButtonSchema = Type.Object({
  agent: Type.String(),
  site: Type.String(),
  online: Type.Boolean({ description: 'false also when it has not connected since the cloud started' }),
  since: Nullable(EpochMs),
  lastSeen: Nullable(EpochMs),
  version: Nullable(Type.String()),
  devices: Type.Array(DeviceViewSchema),
  current: Type.Array(PickupSchema, { description: 'the open request of each of its buttons' }),
})
export const ButtonsResponse = Type.Object({ buttons: Type.Array(ButtonSchema) })

export const DeliverySchema = Type.Object({
  id: Type.String({ description: 'the transition id; also x-relais-delivery' }),
  requestId: Type.String(),
  createdAt: EpochMs,
  attempts: Type.Integer({ minimum: 0 }),
  nextAt: EpochMs,
  deliveredAt: Nullable(EpochMs),
  lastStatus: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
})
export const DeliveriesResponse = Type.Object({
  configured: Type.Boolean({ description: 'RELAIS_WEBHOOK_URL is set' }),
  pending: Type.Integer({ minimum: 0, description: 'undelivered deliveries in all' }),
  oldestPendingAt: Nullable(EpochMs),
  deliveries: Type.Array(DeliverySchema, { description: 'oldest first' }),
})

export const PickupEventSchema = Type.Object({
  requestId: Type.String(),
  siteId: Type.String(),
  courierId: Nullable(Type.String()),
  roundId: Nullable(Type.String()),
  state: PickupStateSchema,
})
export const PickupStreamResponse = Type.String({
  description:
    'text/event-stream: `event: round` (courier stream) or `event: pickup` (site stream) with PickupEvent data; a comment every 25 s',
})

export type SiteBodyT = Static<typeof SiteBody>
export type CourierBodyT = Static<typeof CourierBody>
export type DepotBodyT = Static<typeof DepotBody>
