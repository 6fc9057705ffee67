// Agent state from the retained topics: the reducer's rules (sessions, wills, what counts as a visible
// change) and the feature's handling of bad input (counted, logged, never thrown).
import { type Envelope, makeEnvelope, parseTopic, topics } from '@relais/hardware'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { matches } from '../src/broker/topic-patterns.js'
import { deviceViews, emptySnapshot, pendingOf, reduceAgent } from '../src/domains/fleet/agent-snapshot.js'
import { AgentState } from '../src/domains/fleet/agent-state.js'
import type { MessageBus } from '../src/ingest/bus.js'
import type { Db } from '../src/storage/db.js'

const A = 'pi-1'
const env = (type: string, data: unknown, session = 's1', device?: string): Envelope =>
  makeEnvelope({ agent: A, device, type, session, seq: 0, data })
const status = (state: 'online' | 'offline', session = 's1') => env('status', { state }, session)

function apply(prev: ReturnType<typeof emptySnapshot>, topic: string, e: Envelope, now: number) {
  return reduceAgent(prev, parseTopic(topic)!, e, now)
}

const r = suite('fleet: agent snapshot reducer')

r('an agent never heard from is offline with no since', () => {
  const s = emptySnapshot(A)
  assert.is(s.online, false)
  assert.is(s.since, null)
  assert.is(pendingOf(s), null)
})

r('online sets since once per session; offline of the same session ends it', () => {
  let s = emptySnapshot(A)
  let v = apply(s, topics.status(A), status('online'), 1000)
  assert.ok(v.visible)
  s = v.next
  assert.is(s.online, true)
  assert.is(s.since, 1000)
  v = apply(s, topics.status(A), status('online'), 2000)
  assert.is(v.next.since, 1000, 'a repeated birth of the same session keeps since')
  assert.not.ok(v.visible)
  v = apply(s, topics.status(A), status('offline'), 3000)
  assert.is(v.next.online, false)
  assert.is(v.next.since, 3000)
  assert.is(v.next.lastSeen, 1000, 'a will is not the agent speaking')
})

r('a will of an older session after the new birth does not turn the agent offline', () => {
  let s = apply(emptySnapshot(A), topics.status(A), status('online', 'old'), 1000).next
  s = apply(s, topics.status(A), status('online', 'new'), 2000).next
  assert.is(s.since, 2000, 'a new session is a new online period')
  const v = apply(s, topics.status(A), status('offline', 'old'), 3000)
  assert.is(v.next.online, true)
  assert.not.ok(v.visible)
})

r('health changes are visible only when the pending or dropped counts change', () => {
  let s = apply(
    emptySnapshot(A),
    topics.health(A),
    env('health', { outbox_depth: 2, uptime_s: 1 }),
    1000,
  ).next
  assert.is(pendingOf(s), 2)
  const same = apply(s, topics.health(A), env('health', { outbox_depth: 2, uptime_s: 9 }), 2000)
  assert.not.ok(same.visible)
  assert.is(same.next.lastSeen, 2000)
  s = same.next
  assert.ok(apply(s, topics.health(A), env('health', { outbox_depth: 0 }), 3000).visible)
  const odd = apply(s, topics.health(A), env('health', { outbox_depth: -1.5 }), 3000).next
  assert.is(pendingOf(odd), null, 'a count that is not one is not shown')
})

r('devices come from the birth and from device statuses', () => {
  let s = apply(
    emptySnapshot(A),
    topics.info(A),
    env('info', {
      version: '1.0.0',
      configHash: 'x',
      devices: [
        { id: 'scanner-1', kind: 'scanner' },
        { id: 'button', kind: 'button' },
      ],
    }),
    1000,
  ).next
  s = apply(
    s,
    topics.deviceStatus(A, 'scanner-1'),
    env('status', { state: 'detached', detail: 'unplugged' }, 's1', 'scanner-1'),
    2000,
  ).next
  assert.equal(deviceViews(s), [
    { id: 'button', kind: 'button', state: 'unknown', detail: null },
    { id: 'scanner-1', kind: 'scanner', state: 'detached', detail: 'unplugged' },
  ])
})

const f = suite('fleet: AgentState feature')

function fakeBus(): MessageBus & {
  filters: string[]
  shared: string[]
  deliver(topic: string, payload: Buffer): void
} {
  const filters: string[] = []
  const shared: string[] = []
  const subs: Array<{ filter: string; handler: (t: string, p: Buffer) => void }> = []
  return {
    filters,
    shared,
    subscribe: async (filter, handler, o) => {
      ;(o?.share ? shared : filters).push(filter)
      subs.push({ filter, handler })
      return async () => {}
    },
    publish: async () => {},
    deliver: (topic, payload) => {
      for (const s of subs) if (matches(s.filter, topic)) s.handler(topic, payload)
    },
  }
}

f('subscribes to status, info, health and device status of every agent', async () => {
  const bus = fakeBus()
  const state = new AgentState({ bus, db: {} as Db, log: pino({ level: 'silent' }) })
  await state.start()
  assert.equal(bus.filters, [
    'relais/v1/+/status',
    'relais/v1/+/info',
    'relais/v1/+/health',
    'relais/v1/+/+/status',
  ])
  await state.stop()
})

f('counts and logs bad messages by code and never throws', async () => {
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) })
  const state = new AgentState({ bus: fakeBus(), db: {} as Db, log })
  state.receive(topics.status(A), Buffer.from('{not json'))
  state.receive(topics.status(A), Buffer.from(JSON.stringify(env('status', { state: 'sleeping' }))))
  state.receive(topics.status('pi-2'), Buffer.from(JSON.stringify(status('online'))))
  state.receive(topics.status(A), Buffer.from([0xff, 0xfe]))
  assert.equal(Object.fromEntries(state.invalid), { malformed_json: 2, invalid_data: 1, topic_mismatch: 1 })
  assert.is(state.invalidTotal, 4)
  assert.is(state.get(A), undefined)
  assert.is(lines.filter((l) => l.includes('agent state message rejected')).length, 4)
  assert.ok(lines.some((l) => l.includes('"agent":"pi-1"') && l.includes('"code":"invalid_data"')))
})

f(
  'records every health message as a time-series point: numbers and booleans, counts as integers',
  async () => {
    const points: Array<{
      measurement: string
      tags: Record<string, string>
      fields: Record<string, unknown>
      ts: number
      ints?: readonly string[]
    }> = []
    const bus = fakeBus()
    const state = new AgentState({
      bus,
      db: {} as Db,
      log: pino({ level: 'silent' }),
      series: { record: (p) => points.push(p) },
    })
    await state.start()
    // The point comes from a shared subscription: once in a cluster (the agent's node) or among workers.
    assert.equal(bus.shared, [topics.health('+')])
    const health = makeEnvelope({
      agent: A,
      type: 'health',
      session: 's',
      seq: 1,
      ts: 1_700_000_000_000,
      data: {
        uptime_s: 12,
        rss_bytes: 41_000_000,
        event_loop_lag_ms: 1.5,
        outbox_depth: 3,
        clock_synced: true,
        cpu_temp_c: null,
        note: 'x',
      },
    })
    bus.deliver(topics.health(A), Buffer.from(JSON.stringify(health)))
    assert.is(points.length, 1)
    assert.ok(state.get(A) !== undefined, 'the state heard it too')
    const p = points[0]!
    assert.equal([p.measurement, p.tags, p.ts], ['health', { agent: A }, 1_700_000_000_000])
    assert.equal(p.fields, {
      uptime_s: 12,
      rss_bytes: 41_000_000,
      event_loop_lag_ms: 1.5,
      outbox_depth: 3,
      clock_synced: true,
    })
    assert.ok(p.ints?.includes('outbox_depth') && !p.ints.includes('event_loop_lag_ms'))
  },
)

f('ignores a command that happens to be named status', () => {
  const state = new AgentState({ bus: fakeBus(), db: {} as Db, log: pino({ level: 'silent' }) })
  const cmd = makeEnvelope({ agent: A, type: 'status', session: 's', seq: 0, data: {} })
  state.receive(`relais/v1/${A}/cmd/status`, Buffer.from(JSON.stringify(cmd)))
  assert.is(state.get(A), undefined)
  assert.is(state.invalidTotal, 0)
})

r.run()
f.run()
