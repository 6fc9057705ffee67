// TypeBox schemas for every request and response of the HTTP API. Responses are serialized through them,
// so a column that is not named here (list_id, token hashes, scan agents) can never reach a client.
import { ID_PATTERN } from '@relais/hardware'
import { type Static, Type } from '@sinclair/typebox'
import { MAX_QUANTITY } from '../domains/lists/list-service.js'
import { MAX_NAME_LENGTH } from '../domains/lists/unknown-products.js'

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()])
const EpochMs = Type.Integer({ minimum: 0, description: 'epoch milliseconds' })

export const ErrorSchema = Type.Object({
  error: Type.String({
    description: 'stable code: unauthorized, forbidden, not_found, invalid_request, ...',
  }),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'the request field at fault, e.g. body.quantity' })),
})
export type ErrorBody = Static<typeof ErrorSchema>

/** The error replies every authenticated route can give; spread into each route's `response`. */
export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  500: ErrorSchema,
}

// Params ------------------------------------------------------------------------------------------------

const Household = Type.String({ pattern: ID_PATTERN, description: 'household id' })
export const HouseholdParams = Type.Object({ household: Household })
export const ItemParams = Type.Object({
  household: Household,
  item: Type.String({ minLength: 1, maxLength: 64 }),
})
export const ProductParams = Type.Object({
  household: Household,
  code: Type.String({ minLength: 1, maxLength: 128, description: "the item's key, URL-encoded" }),
})

// Bodies ------------------------------------------------------------------------------------------------

export const ItemPatchBody = Type.Object(
  {
    checked: Type.Optional(Type.Boolean()),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_QUANTITY })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export const NameBody = Type.Object(
  // \S: a name of spaces only would be empty once trimmed.
  { name: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH, pattern: '\\S' }) },
  { additionalProperties: false },
)

// Responses ---------------------------------------------------------------------------------------------

export const ItemSchema = Type.Object({
  id: Type.String(),
  code: Type.String({ description: 'the code as people read it' }),
  key: Type.String({ description: 'the lookup key (GTIN-14 or plain code); names products in the API' }),
  name: Nullable(Type.String()),
  quantity: Type.Integer({ minimum: 0 }),
  checked: Type.Boolean(),
  unknown: Type.Boolean({ description: 'no name known for the code yet' }),
  addedBy: Type.String({ description: 'agent/device that first scanned it' }),
  firstScanAt: Nullable(EpochMs),
  lastScanAt: Nullable(EpochMs),
  updatedAt: EpochMs,
})

export const ListResponse = Type.Object({
  household: Type.Object({ id: Type.String(), name: Type.String() }),
  list: Type.Object({ id: Type.String(), name: Type.String() }),
  items: Type.Array(ItemSchema),
})

export const UnknownProductSchema = Type.Object({
  code: Type.String({ description: 'the code as people read it' }),
  key: Type.String({ description: 'the lookup key, for PUT .../unknown/:code' }),
  firstSeen: EpochMs,
  lastSeen: EpochMs,
  scans: Type.Integer({ minimum: 0 }),
  items: Type.Integer({ minimum: 0, description: 'items on the lists carrying this code' }),
})
export const UnknownResponse = Type.Object({ products: Type.Array(UnknownProductSchema) })

export const NameResponse = Type.Object({
  key: Type.String(),
  name: Type.String(),
  renamed: Type.Integer({ minimum: 0, description: 'items renamed on the lists' }),
})

/** The data of each `event: change` on the household's event stream. */
export const ChangeEventSchema = Type.Object({
  itemId: Type.Optional(Type.String()),
  reason: Type.Union([
    Type.Literal('scan'),
    Type.Literal('edit'),
    Type.Literal('delete'),
    Type.Literal('rename'),
  ]),
})
export const EventStreamResponse = Type.String({
  description: 'text/event-stream: `event: change` with ChangeEvent data; a comment every 25 s',
})

export const HealthResponse = Type.Object(
  { status: Type.Literal('ok'), version: Type.String() },
  // The composition root adds its own checks (broker, storage); no data about households.
  { additionalProperties: true },
)

export const NoContent = Type.Null({ description: 'no content' })
