// Validation used by both ends: the edge before it sends, the cloud when it receives. A rejection always
// names the field (`data.code: Expected string`) so a device log says what to fix.
import type { TSchema } from '@sinclair/typebox'
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler'
import { AnyEnvelopeSchema, type Envelope, MAX_CONFIG_BYTES, MAX_PAYLOAD_BYTES } from './envelope.js'
import {
  agentTopicSchemas,
  cmdSchemas,
  DeviceStatusSchema,
  eventSchemas,
  TelemetrySchema,
} from './messages.js'
import { parseTopic, type Topic, typeForTopic } from './topics.js'

export type RejectCode =
  | 'unknown_topic'
  | 'payload_too_large'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'topic_mismatch'
  | 'unknown_type'
  | 'invalid_data'

export type Decoded =
  | { ok: true; topic: Topic; message: Envelope }
  | {
      ok: false
      code: RejectCode
      reason: string
      topic?: Topic
      /** Present when the envelope itself was sound, so the sender can be answered with `corr`. */
      message?: Envelope
    }

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()
function checker(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema)
  if (c === undefined) {
    c = TypeCompiler.Compile(schema)
    compiled.set(schema, c)
  }
  return c
}

/** The first error of `value` against `schema` as `field.path: message`, or undefined when valid. */
export function firstError(schema: TSchema, value: unknown, prefix = ''): string | undefined {
  const c = checker(schema)
  if (c.Check(value)) return undefined
  const e = c.Errors(value).First()
  if (e === undefined) return `${prefix || 'value'}: invalid`
  const path = e.path.split('/').filter(Boolean).join('.')
  const field = [prefix, path].filter(Boolean).join('.') || 'value'
  return `${field}: ${e.message}`
}

export function schemaForTopic(t: Topic): TSchema | undefined {
  switch (t.kind) {
    case 'event':
      return eventSchemas[t.name]
    case 'cmd':
      return cmdSchemas[t.name]
    case 'device-status':
      return DeviceStatusSchema
    case 'telemetry':
      return TelemetrySchema
    default:
      return agentTopicSchemas[t.kind]
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Parses and validates one MQTT message against the contract. Never throws. */
export function decodeMessage(topicName: string, payload: Uint8Array | string, maxBytes?: number): Decoded {
  const topic = parseTopic(topicName)
  if (topic === undefined)
    return { ok: false, code: 'unknown_topic', reason: `topic is not part of the contract` }
  maxBytes ??= maxPayloadFor(topic)
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength
  if (size > maxBytes) {
    return {
      ok: false,
      code: 'payload_too_large',
      reason: `payload is ${size} bytes, limit ${maxBytes}`,
      topic,
    }
  }
  let value: unknown
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : decoder.decode(payload))
  } catch (err) {
    return { ok: false, code: 'malformed_json', reason: `not UTF-8 JSON: ${(err as Error).message}`, topic }
  }
  const envErr = firstError(AnyEnvelopeSchema, value)
  if (envErr !== undefined) return { ok: false, code: 'invalid_envelope', reason: envErr, topic }
  const message = value as Envelope
  const mismatch = topicMismatch(topic, message)
  if (mismatch !== undefined) return { ok: false, code: 'topic_mismatch', reason: mismatch, topic, message }
  const schema = schemaForTopic(topic)
  if (schema === undefined) {
    return {
      ok: false,
      code: 'unknown_type',
      reason: `type: no schema for '${message.type}'`,
      topic,
      message,
    }
  }
  const dataErr = firstError(schema, message.data, 'data')
  if (dataErr !== undefined) return { ok: false, code: 'invalid_data', reason: dataErr, topic, message }
  return { ok: true, topic, message }
}

/** The largest payload the contract allows on a topic. */
export function maxPayloadFor(t: Topic): number {
  return t.kind === 'config' ? MAX_CONFIG_BYTES : MAX_PAYLOAD_BYTES
}

/** Topic and envelope must agree on agent, device and type; otherwise one of them lies. */
function topicMismatch(t: Topic, m: Envelope): string | undefined {
  if (m.agent !== t.agent) return `agent: '${m.agent}' does not match topic agent '${t.agent}'`
  const device = 'device' in t ? t.device : undefined
  if (m.device !== device)
    return `device: '${m.device ?? '(none)'}' does not match topic device '${device ?? '(none)'}'`
  const type = typeForTopic(t)
  if (m.type !== type) return `type: '${m.type}' does not match topic type '${type}'`
  return undefined
}

/** Validates an outgoing message before it is published; throws with the field named. */
export function assertValidMessage(topicName: string, message: Envelope): void {
  const d = decodeMessage(topicName, JSON.stringify(message))
  if (!d.ok) throw new Error(`invalid message for ${topicName}: ${d.reason}`)
}
