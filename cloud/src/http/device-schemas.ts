// TypeBox schemas of the household's devices (GET .../devices) and of `event: device` on its event
// stream. Kept beside schemas.ts so the fleet's API reads in one place; serialized through them, so no
// session id, health field or household of another agent can leak.
import { Type } from '@sinclair/typebox'

const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })
const NullableMs = (description: string) => Type.Union([EpochMs, Type.Null()], { description })
const NullableCount = (description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description })

export const DeviceViewSchema = Type.Object({
  id: Type.String({ description: 'the device id on its agent, e.g. scanner-1' }),
  kind: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('attached'), Type.Literal('detached'), Type.Literal('unknown')]),
  detail: Type.Union([Type.String(), Type.Null()]),
})

export const HouseholdAgentSchema = Type.Object({
  agent: Type.String(),
  online: Type.Boolean({ description: 'false also when it has not connected since the cloud started' }),
  since: NullableMs('when the cloud saw the online/offline state begin'),
  lastSeen: NullableMs('its last own message (cloud time)'),
  lastScanAt: NullableMs('its last scan applied to this household’s list (source time)'),
  pending: NullableCount('events waiting in its outbox (health outbox_depth); null until reported'),
  dropped: NullableCount('events its outbox had to drop (health outbox_dropped); null until reported'),
  version: Type.Union([Type.String(), Type.Null()]),
  devices: Type.Array(DeviceViewSchema),
})

export const DevicesResponse = Type.Object({ agents: Type.Array(HouseholdAgentSchema) })

/** The data of each `event: device` on the household's event stream; the page then re-reads devices. */
export const DeviceEventSchema = Type.Object({ agent: Type.String() })
