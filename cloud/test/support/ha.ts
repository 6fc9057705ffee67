// Test support for the Home Assistant bridge: an integration account with the patterns the README gives
// Home Assistant, a client that listens like HA (every message kept, latest per topic), an agent's
// birth (retained status and info, with its will), and a reader of HA's simplest templates.
import { makeEnvelope, topics } from '@relais/hardware'
import type { MqttClient } from 'mqtt'
import { addAccount } from '../../src/domains/accounts/accounts.js'
import type { TestCloud } from './harness.js'

/** What README tells an operator to give Home Assistant's account. */
export const HA_RULES = {
  read: ['homeassistant/#', 'relais/ha/#', 'relais/v1/+/status'],
  write: ['homeassistant/status'],
  deny: [],
}

export async function haAccount(tc: TestCloud, name = 'home-assistant'): Promise<string> {
  return (await addAccount(tc.cloud.db, { name, ...HA_RULES })).secret
}

export class HaListener {
  /** Every message, in arrival order. */
  readonly log: Array<{ topic: string; payload: string; retain: boolean }> = []
  /** The latest payload per topic ('' once cleared). */
  readonly latest = new Map<string, string>()
  private waiters: Array<() => void> = []

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.log.push({ topic, payload: payload.toString(), retain: packet.retain })
      this.latest.set(topic, payload.toString())
      for (const w of this.waiters.splice(0)) w()
    })
  }

  /** Discovery configs (not cleared) by topic, parsed. */
  configs(): Map<string, Record<string, unknown>> {
    const out = new Map<string, Record<string, unknown>>()
    for (const [topic, p] of this.latest)
      if (topic.endsWith('/config') && p !== '') out.set(topic, JSON.parse(p) as Record<string, unknown>)
    return out
  }

  /** Resolves with the first value `probe` returns, looking again at each message. */
  waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Home Assistant never saw ${what}`)), timeoutMs)
      const check = () => {
        const v = probe()
        if (v === undefined) return this.waiters.push(check)
        clearTimeout(timer)
        resolve(v)
      }
      check()
    })
  }

  /** Waits until `topic`'s latest payload satisfies `pred`. */
  waitTopic(topic: string, pred: (payload: string) => boolean = () => true): Promise<string> {
    return this.waitFor(() => {
      const p = this.latest.get(topic)
      return p !== undefined && pred(p) ? p : undefined
    }, topic)
  }
}

/** Connects an agent with its will and publishes its birth: status online and info, both retained. */
export async function bornAgent(
  tc: TestCloud,
  agent: string,
  secret: string,
  devices: Array<{ id: string; kind: string }>,
): Promise<MqttClient> {
  const status = (state: string) =>
    JSON.stringify(makeEnvelope({ agent, type: 'status', session: 'sess-1', seq: 0, data: { state } }))
  const c = await tc.connect(agent, agent, secret, {
    will: { topic: topics.status(agent), payload: Buffer.from(status('offline')), qos: 1, retain: true },
  })
  await c.publishAsync(topics.status(agent), status('online'), { qos: 1, retain: true })
  const info = makeEnvelope({
    agent,
    type: 'info',
    session: 'sess-1',
    seq: 1,
    data: { version: '1.4.2', configHash: 'abc', devices },
  })
  await c.publishAsync(topics.info(agent), JSON.stringify(info), { qos: 1, retain: true })
  return c
}

/**
 * Evaluates the only template shape the bridge uses, `{{ value_json.a.b }}`, as HA would on `payload`:
 * parse the payload as JSON and follow the path. Anything else is a test failure, not a guess.
 */
export function evalTemplate(template: string, payload: string): unknown {
  const m = /^\{\{ value_json((?:\.[A-Za-z_][A-Za-z0-9_]*)+) \}\}$/.exec(template)
  if (m === null) throw new Error(`not a simple value_json path: ${template}`)
  let v: unknown = JSON.parse(payload)
  for (const key of m[1]!.slice(1).split('.')) v = (v as Record<string, unknown> | undefined)?.[key]
  return v
}
