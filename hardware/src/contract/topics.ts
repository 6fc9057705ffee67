// The only place topic strings are made or matched (DESIGN.md, "The wire contract").
//   relais/v1/<agent>/status | info | health | config
//   relais/v1/<agent>/<device>/status | telemetry | event/<name>
//   relais/v1/<agent>/[<device>/]cmd/<name>
import { isId } from './ids.js'

export const TOPIC_ROOT = 'relais/v1'

/**
 * Ops alerts, published retained by the cloud, one topic per alert. Deliberately outside `relais/v1/`:
 * every topic there belongs to an agent's prefix (`relais/v1/$alerts/...` would parse as agent
 * `$alerts`, an invalid id, and `$` starts broker-reserved topics, MQTT-4.7.2-1), and an agent may
 * subscribe only to its own inbox, so no agent can read another's alerts or publish one.
 */
export const OPS_ALERTS_ROOT = 'relais/ops/alerts'

/** One topic level from any text: lower case, [a-z0-9-] only (an IPv6 address has colons). */
const level = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-') || '-'

export type AgentTopicKind = 'status' | 'info' | 'health' | 'config'
export type Topic =
  | { kind: AgentTopicKind; agent: string }
  | { kind: 'device-status' | 'telemetry'; agent: string; device: string }
  | { kind: 'event'; agent: string; device: string; name: string }
  | { kind: 'cmd'; agent: string; device?: string; name: string }

const AGENT_TOPICS = new Set<string>(['status', 'info', 'health', 'config'])
// Device ids share the alphabet of topic names; a device may not be called like an agent-level topic,
// or `relais/v1/a/config/...` would be ambiguous.
export const RESERVED_DEVICE_IDS: ReadonlySet<string> = new Set(['status', 'info', 'health', 'config', 'cmd'])

export const topics = {
  status: (agent: string) => `${TOPIC_ROOT}/${agent}/status`,
  info: (agent: string) => `${TOPIC_ROOT}/${agent}/info`,
  health: (agent: string) => `${TOPIC_ROOT}/${agent}/health`,
  config: (agent: string) => `${TOPIC_ROOT}/${agent}/config`,
  deviceStatus: (agent: string, device: string) => `${TOPIC_ROOT}/${agent}/${device}/status`,
  telemetry: (agent: string, device: string) => `${TOPIC_ROOT}/${agent}/${device}/telemetry`,
  event: (agent: string, device: string, name: string) => `${TOPIC_ROOT}/${agent}/${device}/event/${name}`,
  cmd: (agent: string, name: string, device?: string) =>
    device === undefined
      ? `${TOPIC_ROOT}/${agent}/cmd/${name}`
      : `${TOPIC_ROOT}/${agent}/${device}/cmd/${name}`,
  /** `relais/ops/alerts/<rule>/<subject>[/<device>]`; the subject is an agent id or a remote address. */
  opsAlert: (rule: string, subject: string, device?: string) =>
    device === undefined
      ? `${OPS_ALERTS_ROOT}/${level(rule)}/${level(subject)}`
      : `${OPS_ALERTS_ROOT}/${level(rule)}/${level(subject)}/${level(device)}`,
} as const

/** Subscription filters, built here so nobody else spells a wildcard. */
export const filters = {
  /** Everything one agent may publish under (its own prefix). */
  agentPrefix: (agent: string) => `${TOPIC_ROOT}/${agent}/#`,
  /** What an agent subscribes to: its config and its commands, agent- and device-level. */
  agentInbox: (agent: string) => [
    topics.config(agent),
    `${TOPIC_ROOT}/${agent}/cmd/+`,
    `${TOPIC_ROOT}/${agent}/+/cmd/+`,
  ],
  /** What the cloud ingests: every agent's events. */
  allEvents: (name = '+') => `${TOPIC_ROOT}/+/+/event/${name}`,
  allAgentTopic: (kind: AgentTopicKind) => `${TOPIC_ROOT}/+/${kind}`,
  allDeviceStatus: () => `${TOPIC_ROOT}/+/+/status`,
  allTelemetry: () => `${TOPIC_ROOT}/+/+/telemetry`,
  /** Every device-level command the cloud sends (acks, pickup notices), for cloud-side observers. */
  allDeviceCmds: (name = '+') => `${TOPIC_ROOT}/+/+/cmd/${name}`,
  /** Every ops alert (ops tools, integration accounts; never agents). */
  opsAlerts: () => `${OPS_ALERTS_ROOT}/#`,
} as const

/**
 * Parses a concrete topic (no wildcards); undefined when it is not part of the contract. The result is
 * frozen and may be shared: a device publishes on the same few topics, and the cloud parses each
 * message's topic more than once (broker hook, decoding), so answers are remembered, a bounded number.
 */
export function parseTopic(topic: string): Readonly<Topic> | undefined {
  const known = parsed.get(topic)
  if (known !== undefined) return known
  const t = parseUncached(topic)
  // Topics that fail stay unremembered: anyone can send a new one each time.
  if (t !== undefined) {
    if (parsed.size >= PARSED_MAX) parsed.clear()
    parsed.set(topic, Object.freeze(t))
  }
  return t
}

const PARSED_MAX = 20_000
const parsed = new Map<string, Readonly<Topic>>()

function parseUncached(topic: string): Topic | undefined {
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return undefined
  const parts = topic.slice(TOPIC_ROOT.length + 1).split('/')
  const agent = parts[0]
  if (!isId(agent)) return undefined
  if (parts.length === 2) {
    return AGENT_TOPICS.has(parts[1]!) ? { kind: parts[1] as AgentTopicKind, agent } : undefined
  }
  if (parts.length === 3) {
    const device = parts[1]!
    if (parts[1] === 'cmd') return isId(parts[2]) ? { kind: 'cmd', agent, name: parts[2]! } : undefined
    if (!isDeviceId(device)) return undefined
    if (parts[2] === 'status') return { kind: 'device-status', agent, device }
    if (parts[2] === 'telemetry') return { kind: 'telemetry', agent, device }
    return undefined
  }
  if (parts.length === 4) {
    const [, device, sub, name] = parts
    if (!isDeviceId(device) || !isId(name)) return undefined
    if (sub === 'event') return { kind: 'event', agent, device, name }
    if (sub === 'cmd') return { kind: 'cmd', agent, device, name }
  }
  return undefined
}

export function isDeviceId(value: unknown): value is string {
  return isId(value) && !RESERVED_DEVICE_IDS.has(value)
}

/** The envelope `type` a message on this topic must carry. */
export function typeForTopic(t: Topic): string {
  switch (t.kind) {
    case 'event':
    case 'cmd':
      return t.name
    case 'device-status':
      return 'status'
    default:
      return t.kind
  }
}

/** Retain flag and QoS per topic kind, as the contract table says. */
export function deliveryFor(t: Topic): { qos: 0 | 1; retain: boolean } {
  switch (t.kind) {
    case 'status':
    case 'info':
    case 'config':
    case 'device-status':
      return { qos: 1, retain: true }
    case 'health':
      return { qos: 0, retain: true }
    case 'telemetry':
      return { qos: 0, retain: false }
    case 'event':
    case 'cmd':
      return { qos: 1, retain: false }
  }
}
