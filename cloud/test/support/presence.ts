// Test support for presence: a zone with a placed reader agent, members with beacons and consents, a
// reader speaking the contract (enter/leave with acks), and the retained configs its agent receives.
import { type Envelope, makeEnvelope, topics } from '@relais/hardware'
import type { MqttClient } from 'mqtt'
import { addAgent } from '../../src/domains/agents/agents.js'
import { grantConsent } from '../../src/domains/presence/consents.js'
import { addBeacon, createMember } from '../../src/domains/presence/members.js'
import { addZone, placeReader } from '../../src/domains/presence/zones.js'
import type { Db } from '../../src/storage/db.js'
import type { TestCloud } from './harness.js'
import { TestDevice } from './harness.js'

export const KEY_A = `ibeacon:${'a'.repeat(32)}:1:1`
export const KEY_B = `ibeacon:${'b'.repeat(32)}:1:2`
export const KEY_C = `eddystone:${'c'.repeat(20)}:${'d'.repeat(12)}`

export interface Reader {
  device: TestDevice
  client: MqttClient
  /** Every config the agent received, in order. */
  configs: Array<Envelope<{ revision: number; beacons?: Record<string, { zone: string; allow: string[] }> }>>
  waitConfig(
    pred: (c: Reader['configs'][number]) => boolean,
    timeoutMs?: number,
  ): Promise<Reader['configs'][number]>
}

/** An agent placed in `zone` (reader ble-0), connected, acks and config subscribed. */
export async function connectReader(tc: TestCloud, agent: string, zone: string): Promise<Reader> {
  // A beacon agent provisioned in the zone, and its reader placed explicitly (the same zone).
  const a = await addAgent(tc.cloud.db, { id: agent, zoneId: zone })
  await placeReader(tc.cloud.db, { agent, zone })
  const client = await tc.connect(agent, agent, a.secret)
  const device = new TestDevice(client, agent, 'ble-0')
  await device.subscribeAcks()
  const configs: Reader['configs'] = []
  const waiters: Array<() => void> = []
  client.on('message', (topic, payload) => {
    if (topic !== topics.config(agent)) return
    configs.push(JSON.parse(payload.toString()))
    for (const w of waiters.splice(0)) w()
  })
  await client.subscribeAsync(topics.config(agent), { qos: 1 })
  const waitConfig: Reader['waitConfig'] = (pred, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching config for ${agent}`)), timeoutMs)
      const check = () => {
        const found = configs.find(pred)
        if (found) {
          clearTimeout(timer)
          resolve(found)
        } else waiters.push(check)
      }
      check()
    })
  return { device, client, configs, waitConfig }
}

export async function zone(db: Db, id: string): Promise<void> {
  await addZone(db, { id, name: `Zone ${id}` })
}

/** A member with one beacon and (unless `consent: false`) a presence consent for `zone`. */
export async function member(
  db: Db,
  key: string,
  zoneId: string,
  o: { consent?: boolean; expiresAt?: number; now?: number } = {},
) {
  const now = o.now ?? Date.now()
  const m = await createMember(db, { ref: `ref-${key.slice(-4)}` }, now)
  await addBeacon(db, m.member.id, key, now)
  const consent =
    o.consent === false
      ? undefined
      : await grantConsent(
          db,
          { member: m.member.id, zone: zoneId, by: 'ops:test', expiresAt: o.expiresAt },
          now,
        )
  return { id: m.member.id, token: m.token, consent }
}

export function enterEnvelope(dev: TestDevice, beacon: string, zoneId: string, at = Date.now()) {
  return makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'enter',
    session: 's',
    seq: 0,
    data: { beacon, zone: zoneId, rssi: -60, at },
  })
}

export function leaveEnvelope(
  dev: TestDevice,
  beacon: string,
  zoneId: string,
  enteredAt: number,
  at = Date.now(),
) {
  return makeEnvelope({
    agent: dev.agent,
    device: dev.device,
    type: 'leave',
    session: 's',
    seq: 0,
    data: { beacon, zone: zoneId, enteredAt, at, reason: 'timeout' },
  })
}

/** Publishes the envelope on its event topic and resolves with its ack's data. */
export async function send(dev: TestDevice, env: Envelope) {
  const wait = dev.waitAck(env.id)
  await dev.publish(env, topics.event(dev.agent, dev.device, env.type))
  return (await wait).data as { outcome: string; reason?: string; detail?: string; replayed?: boolean }
}

/** Polls `probe` until it returns a value (the time series flushes in the background). */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
