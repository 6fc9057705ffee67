// The one JSON envelope every message travels in (DESIGN.md): v, id, ts, agent, device, type, session,
// seq, data, and corr on replies. `id` is made once, when the event happens, and reused by every retry;
// it is what the cloud deduplicates on.
import { type Static, type TSchema, Type } from '@sinclair/typebox'
import { ID_PATTERN } from './ids.js'

export const ENVELOPE_VERSION = 1
/** Larger payloads are refused before parsing; no message of the contract comes near it. */
export const MAX_PAYLOAD_BYTES = 16 * 1024
/**
 * Except the agent's retained `config`, which only the cloud publishes (agents may not: the broker's
 * hooks) and which carries whole allow-lists: 10,000 beacon keys of up to 60 characters fit.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024

export const IdSchema = Type.String({ pattern: ID_PATTERN, maxLength: 63 })
export const MessageIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })
export const SessionSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })

export const EnvelopeSchema = <T extends TSchema>(data: T) =>
  Type.Object(
    {
      v: Type.Literal(ENVELOPE_VERSION),
      id: MessageIdSchema,
      ts: Type.Integer({ minimum: 0, maximum: 8.64e15 }),
      agent: IdSchema,
      device: Type.Optional(IdSchema),
      type: IdSchema,
      session: SessionSchema,
      seq: Type.Integer({ minimum: 0 }),
      corr: Type.Optional(MessageIdSchema),
      data,
    },
    { additionalProperties: false },
  )

export const AnyEnvelopeSchema = EnvelopeSchema(Type.Unknown())
export type Envelope<D = unknown> = Omit<Static<typeof AnyEnvelopeSchema>, 'data'> & { data: D }

/**
 * A time-ordered message id (the layout of a UUIDv7, without dashes): sortable by creation time, so
 * outboxes and dedupe tables index well, and random enough that agents never collide.
 */
export function newMessageId(now = Date.now()): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  let ms = now
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export interface EnvelopeFields<D> {
  agent: string
  device?: string
  type: string
  session: string
  seq: number
  data: D
  id?: string
  ts?: number
  corr?: string
}

/** Builds an envelope; `id` and `ts` default to now, as for a new event. */
export function makeEnvelope<D>(f: EnvelopeFields<D>): Envelope<D> {
  const ts = f.ts ?? Date.now()
  const env: Envelope<D> = {
    v: ENVELOPE_VERSION,
    id: f.id ?? newMessageId(ts),
    ts,
    agent: f.agent,
    type: f.type,
    session: f.session,
    seq: f.seq,
    data: f.data,
  }
  if (f.device !== undefined) env.device = f.device
  if (f.corr !== undefined) env.corr = f.corr
  return env
}
