// The agent's `info` message (DESIGN.md, info row): version, config hash, devices and kinds.
import { createHash } from 'node:crypto'
import { makeEnvelope, topics } from '@relais/hardware'
import type { AgentConfig } from '../config/schema.js'
import type { Session } from './session.js'

export const AGENT_VERSION = '0.1.0'

/** A hash of the config without its secret, so ops can see which agents run the same settings. */
export function configHash(config: AgentConfig): string {
  const { broker, ...rest } = config
  const { secret: _secret, ...brokerRest } = broker
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, broker: brokerRest }))
    .digest('hex')
    .slice(0, 16)
}

export function buildInfo(config: AgentConfig, session: Session): { topic: string; payload: string; qos: 1 } {
  const agent = config.agent.id
  const data = {
    version: AGENT_VERSION,
    configHash: configHash(config),
    devices: [
      ...config.scanners.map((s) => ({ id: s.id, kind: 'scanner' })),
      ...config.buttons.map((b) => ({ id: b.id, kind: 'button' })),
      ...config.beacons.map((r) => ({ id: r.id, kind: 'beacon' })),
    ],
    platform: `${process.platform}-${process.arch} node ${process.versions.node}`,
  }
  const env = makeEnvelope({ agent, type: 'info', session: session.id, seq: session.next(), data })
  return { topic: topics.info(agent), payload: JSON.stringify(env), qos: 1 }
}
