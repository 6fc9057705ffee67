// TypeBox schemas of the alert and availability API (routes/alerts.ts): every request and response, so
// validation and serialisation cannot drift from the types.
import { ID_PATTERN } from '@relais/hardware'
import { type Static, Type } from '@sinclair/typebox'
import { RULES } from '../domains/alerts/rules.js'

const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const NullableMs = Type.Union([EpochMs, Type.Null()])
const NullableStr = Type.Union([Type.String(), Type.Null()])

export const AlertSchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'rule:subject[:device], one incident of a condition' }),
  rule: Type.String({ description: RULES.join(', ') }),
  subject: Type.String({ description: 'an agent id, or a remote address for auth_failures' }),
  device: NullableStr,
  severity: Type.Union([Type.Literal('critical'), Type.Literal('warning')]),
  state: Type.Union([Type.Literal('open'), Type.Literal('acked'), Type.Literal('cleared')]),
  message: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  raisedAt: EpochMs,
  lastSentAt: Type.Union([EpochMs, Type.Null()], { description: 'null: held by quiet hours so far' }),
  nextRepeatAt: NullableMs,
  repeats: Type.Integer({ minimum: 0 }),
  ackedAt: NullableMs,
  ackedBy: NullableStr,
  clearedAt: NullableMs,
})

export const AlertListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(
        ['unresolved', 'open', 'acked', 'cleared', 'all'].map((s) => Type.Literal(s)),
        { description: 'unresolved (default): open or acknowledged, not yet cleared' },
      ),
    ),
    rule: Type.Optional(Type.Union(RULES.map((r) => Type.Literal(r)))),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('warning')])),
    since: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,16}$', description: 'raised at or after (epoch ms)' }),
    ),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1 to 1000; default 100' })),
  },
  { additionalProperties: false },
)
export type AlertListQueryT = Static<typeof AlertListQuery>

export const AlertListResponse = Type.Object({ alerts: Type.Array(AlertSchema) })
export const AlertParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export const AlertResponse = Type.Object({ alert: AlertSchema })

export const AgentParams = Type.Object({
  agent: Type.String({ pattern: ID_PATTERN, description: 'agent id' }),
})

export const AvailabilityResponse = Type.Object({
  agent: Type.String(),
  state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]),
  since: NullableMs,
  offlineCause: Type.Union([Type.Literal('status'), Type.Literal('silence'), Type.Null()]),
  /** A link down within the grace period: still declared as `state` says. */
  goingDownSince: NullableMs,
  lastSeen: NullableMs,
  lastDisconnect: Type.Union([
    Type.Object({
      reason: Type.String({
        description:
          'clean, keepalive_timeout, refused_auth, replaced_session, socket_error, server_shutdown',
      }),
      at: EpochMs,
      detail: NullableStr,
    }),
    Type.Null(),
  ]),
  sessionsToday: Type.Integer({ minimum: 0 }),
  kinds: Type.Array(Type.String()),
  silenceTimeoutMs: Type.Integer({ minimum: 0 }),
  devices: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: NullableStr,
      state: Type.Union([Type.Literal('attached'), Type.Literal('detached')]),
      detail: NullableStr,
      since: EpochMs,
    }),
  ),
})
