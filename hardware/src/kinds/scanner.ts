// Fridge scanner: the household scans empty packaging; the product lands on the shopping list.
import { type Static, Type } from '@sinclair/typebox'

export const ScanModeSchema = Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('undo')])
export type ScanMode = Static<typeof ScanModeSchema>

/**
 * `relais/v1/<agent>/<device>/event/scan`. `code` is what the scanner read, after the agent stripped the
 * configured prefix and suffix: printable ASCII, plus GS (0x1d), which GS1 element strings use as FNC1.
 */
export const ScanEventSchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x1d\\x20-\\x7e]+$' }),
    mode: Type.Optional(ScanModeSchema),
    symbology: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
)
export type ScanEvent = Static<typeof ScanEventSchema>

/** The list item a scan touched, as the ack reports it to the device. */
export const AckItemSchema = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    code: Type.String({ maxLength: 128 }),
    name: Type.Union([Type.String({ maxLength: 300 }), Type.Null()]),
    quantity: Type.Integer({ minimum: 0 }),
    checked: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type AckItem = Static<typeof AckItemSchema>

export const SCAN_OUTCOMES = ['added', 'incremented', 'unknown_product', 'duplicate', 'rejected'] as const
export type ScanOutcome = (typeof SCAN_OUTCOMES)[number]
