// Pickup button (La Poste's Domino idea): a customer posts a parcel in their own letterbox and presses
// the button; the courier is told, and the button shows that the request was received, when the
// courier will come, and when the parcel was collected.
import { type Static, Type } from '@sinclair/typebox'

/** single = request a pickup; long = cancel the open request; double = ask for its status again. */
export const PressKindSchema = Type.Union([
  Type.Literal('single'),
  Type.Literal('double'),
  Type.Literal('long'),
])
export type PressKind = Static<typeof PressKindSchema>

/** `relais/v1/<agent>/<device>/event/press` */
export const PressEventSchema = Type.Object(
  {
    press: PressKindSchema,
    /** How long the button was held, for long presses (ms). */
    heldMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  },
  { additionalProperties: false },
)
export type PressEvent = Static<typeof PressEventSchema>

export const PICKUP_STATES = [
  'requested',
  'scheduled',
  'collected',
  'not_found',
  'cancelled',
  'expired',
] as const
export type PickupState = (typeof PICKUP_STATES)[number]

/** The pickup request a press touched, as the ack reports it to the button. */
export const AckPickupSchema = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    state: Type.Union(PICKUP_STATES.map((s) => Type.Literal(s))),
    /** The courier's arrival window (epoch ms) once the request is on a round. */
    window: Type.Optional(
      Type.Object({ from: Type.Integer(), to: Type.Integer() }, { additionalProperties: false }),
    ),
    /** When the state last changed (epoch ms). */
    since: Type.Integer({ minimum: 0 }),
    /** Why it closed, when it did not end collected ("nothing in the box", "cancelled at the button"). */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type AckPickup = Static<typeof AckPickupSchema>

/**
 * `relais/v1/<agent>/<device>/cmd/pickup`: the cloud tells a button that its request changed outside a
 * press (scheduled with a window, window moved, collected, not found, expired, cancelled by ops), and
 * again after every birth of the agent, so a button that was offline or restarted shows the truth.
 */
export const PickupCmdSchema = Type.Object(
  {
    /** The button's latest request; absent when it has none worth showing (none in the last day). */
    pickup: Type.Optional(AckPickupSchema),
  },
  { additionalProperties: false },
)
export type PickupCmd = Static<typeof PickupCmdSchema>
