// TypeBox schemas of the ops page's API (routes/ops.ts, routes/ops-agent.ts; ops tokens only): every
// request and response, so validation and serialisation cannot drift from the types, and a session id
// or a secret hash never leaves by accident.
import { ID_PATTERN } from '@relais/hardware'
import { Type } from '@sinclair/typebox'
import { RegistryAgentSchema } from './agent-schemas.js'

const Id = Type.String({ pattern: ID_PATTERN })
const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const NullableMs = Type.Union([EpochMs, Type.Null()])
const NullableStr = Type.Union([Type.String(), Type.Null()])
const MsQuery = (description: string) => Type.String({ pattern: '^[0-9]{1,16}$', description })
const State = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')])
const Kind = Type.Union([Type.Literal('scanner'), Type.Literal('button'), Type.Literal('beacon')])

export const OpsParams = Type.Object({ agent: Id }, { additionalProperties: false })

export const FleetQuery = Type.Object(
  {
    kind: Type.Optional(Kind),
    state: Type.Optional(State),
    tag: Type.Optional(Id),
    household: Type.Optional(Id),
    site: Type.Optional(Id),
    zone: Type.Optional(Id),
  },
  { additionalProperties: false },
)

const HealthFields = Type.Record(
  Type.String(),
  Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]),
)

export const OpsAgentSchema = Type.Composite([
  RegistryAgentSchema,
  Type.Object({
    kinds: Type.Array(Type.String(), { description: 'registry kind and the kinds its birth named' }),
    state: State,
    since: NullableMs,
    goingDownSince: Type.Union([EpochMs, Type.Null()], {
      description: 'link down, still within the grace period before it is declared offline',
    }),
    offlineCause: Type.Union([Type.Literal('status'), Type.Literal('silence'), Type.Null()]),
    lastDisconnect: Type.Union([
      Type.Object({ reason: Type.String(), at: EpochMs, detail: NullableStr }),
      Type.Null(),
    ]),
    health: Type.Union([Type.Object({ at: EpochMs, fields: HealthFields }), Type.Null()]),
    openAlerts: Type.Integer({ minimum: 0, description: 'raised or acknowledged, not yet cleared' }),
  }),
])

export const FleetResponse = Type.Object({
  counts: Type.Object(
    { online: Type.Integer(), offline: Type.Integer(), unknown: Type.Integer() },
    { description: 'every agent by state, before the filters' },
  ),
  agents: Type.Array(OpsAgentSchema),
})

export const FleetEventsResponse = Type.String({
  description: 'text/event-stream: `event: agent` with { agent } when what the fleet list shows changed',
})

export const TimelineQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1 to 500; 200' })) },
  { additionalProperties: false },
)

export const TimelineResponse = Type.Object({
  agent: Type.String(),
  entries: Type.Array(
    Type.Object({
      at: EpochMs,
      type: Type.String({
        description: 'provisioned, birth, online, offline, disconnect, alert_raised, ...',
      }),
      text: Type.String(),
      device: NullableStr,
      alertId: NullableStr,
    }),
  ),
})

export const HealthQuery = Type.Object(
  {
    field: Type.String({
      pattern: '^[a-z][a-z0-9_]{0,40}(,[a-z][a-z0-9_]{0,40}){0,7}$',
      description: 'health fields, comma separated (up to 8): rss_bytes,event_loop_lag_ms,outbox_depth',
    }),
    since: Type.Optional(MsQuery('from (epoch ms); 6 hours ago by default')),
    until: Type.Optional(MsQuery('to (epoch ms, exclusive); now by default')),
  },
  { additionalProperties: false },
)

export const HealthSeriesResponse = Type.Object({
  agent: Type.String(),
  from: EpochMs,
  to: EpochMs,
  everyMs: Type.Integer({ minimum: 1, description: 'bucket width: each point is the mean of a bucket' }),
  fields: Type.Array(Type.String()),
  points: Type.Array(
    Type.Object({
      ts: EpochMs,
      values: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
    }),
  ),
})

export const CmdParams = Type.Object(
  { agent: Id, name: Type.Union([Type.Literal('identify'), Type.Literal('rebirth')]) },
  { additionalProperties: false },
)
export const CmdBody = Type.Object(
  { device: Type.Optional(Id) },
  { additionalProperties: false, description: '{} for the agent, or the device to identify' },
)
export const CmdResponse = Type.Object({
  agent: Type.String(),
  command: Type.String(),
  device: NullableStr,
  id: Type.String({ description: 'the command envelope id' }),
  online: Type.Boolean({ description: 'false: the broker holds nothing for it, it will not see this' }),
})

const Sections = Type.Record(Type.String({ pattern: '^[a-z][A-Za-z0-9_]{0,40}$' }), Type.Unknown(), {
  maxProperties: 32,
  description: 'config sections by name; `revision` and `beacons` are the cloud’s own',
})

export const ConfigBody = Type.Object({ config: Sections }, { additionalProperties: false })

export const ConfigResponse = Type.Object({
  agent: Type.String(),
  revision: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null: never pushed' }),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'every section but beacons' }),
  beaconReaders: Type.Array(Type.String(), {
    description: 'readers whose allow-list presence keeps in this config (not editable here)',
  }),
  updatedAt: NullableMs,
})
