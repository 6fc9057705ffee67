// What an agent may do on the broker, derived from the topic contract (DESIGN.md, security): publish
// only under relais/v1/<its id>/ and never to its config or cmd topics; subscribe only to its own config
// and cmd topics. Pure functions, so the rules are tested without a broker.
import { decodeMessage, filters, parseTopic, topics } from '@relais/hardware'

export type Verdict = { ok: true } | { ok: false; reason: string }
const ok: Verdict = { ok: true }
const no = (reason: string): Verdict => ({ ok: false, reason })

export function agentMayPublish(agent: string, topic: string, retain: boolean): Verdict {
  // The $ prefix is the broker's own (MQTT-4.7.2-1); clients never publish there.
  if (topic.startsWith('$')) return no('$ topics are reserved for the broker')
  const t = parseTopic(topic)
  if (t === undefined) return no('topic is not part of the contract')
  if (t.agent !== agent) return no(`topic belongs to agent '${t.agent}'`)
  if (t.kind === 'config' || t.kind === 'cmd') return no(`${t.kind} topics are published by the cloud only`)
  // A retained event or telemetry sample would be handed to every new subscriber and ingested again.
  if (retain && (t.kind === 'event' || t.kind === 'telemetry'))
    return no(`${t.kind} messages must not be retained`)
  return ok
}

/**
 * A filter is allowed when every topic it can match is one of the agent's inbox topics. The inbox
 * patterns use only '+', so a filter is within a pattern when it has the same number of levels, no '#',
 * and each level is either equal to the pattern's or the pattern has '+' there.
 */
export function agentMaySubscribe(agent: string, filter: string): Verdict {
  if (filter.startsWith('$')) return no('$ topics are reserved for the broker')
  const levels = filter.split('/')
  if (levels.includes('#')) return no('multi-level wildcards reach beyond the agent inbox')
  for (const pattern of filters.agentInbox(agent)) {
    const p = pattern.split('/')
    if (p.length === levels.length && p.every((lvl, i) => lvl === '+' || lvl === levels[i])) return ok
  }
  return no('agents subscribe only to their own config and cmd topics')
}

/** The will an agent leaves must be its own retained status saying offline (DESIGN.md, status row). */
export function agentWillIsValid(
  agent: string,
  will: { topic: string; payload: Buffer | string; retain?: boolean } | undefined,
): Verdict {
  if (will === undefined) return ok
  if (will.topic !== topics.status(agent)) return no(`will topic must be ${topics.status(agent)}`)
  if (!will.retain) return no('will must be retained, as the status it replaces')
  const d = decodeMessage(will.topic, will.payload)
  if (!d.ok) return no(`will payload: ${d.reason}`)
  if ((d.message.data as { state?: string }).state !== 'offline') return no('will must say offline')
  return ok
}
