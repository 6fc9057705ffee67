// GET /metrics on a real cloud: behind an ops token, valid Prometheus text (parsed by a port of
// Prometheus's own parser), and the values move when events, rejects, acks and health arrive.
import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { addAccount, revokeAccount } from '../src/domains/accounts/accounts.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'
import { type Family, parseMetrics, sample, value } from './support/prometheus.js'

const t = suite<{ tc: TestCloud; ops: string; home: string }>('GET /metrics')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_INGEST_WORKER: 'off' })
  ctx.home = (await ctx.tc.household('home')).token
  ctx.ops = await createToken(ctx.tc.cloud.db, { scope: 'ops', name: 'prometheus' })
})
t.after(async (ctx) => ctx.tc.stop())

async function scrape(tc: TestCloud, token: string): Promise<Map<string, Family>> {
  const r = await tc.cloud.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${token}` },
  })
  assert.is(r.statusCode, 200, r.body)
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/)
  return parseMetrics(r.body)
}

t('only an ops token scrapes', async ({ tc, home }) => {
  assert.is((await tc.cloud.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401)
  const r = await tc.cloud.app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${home}` },
  })
  assert.is(r.statusCode, 403)
})

t('a scrape holds the cloud families with their types, and process metrics', async ({ tc, ops }) => {
  const m = await scrape(tc, ops)
  const types: Record<string, Family['type']> = {
    relais_ingest_events_total: 'COUNTER',
    relais_ingest_rejects_total: 'COUNTER',
    relais_ingest_ack_latency_seconds: 'HISTOGRAM',
    relais_timeseries_buffered_points: 'GAUGE',
    relais_timeseries_dropped_points_total: 'COUNTER',
    relais_mqtt_connected_clients: 'GAUGE',
    relais_agent_outbox_depth: 'GAUGE',
    relais_process_cpu_user_seconds_total: 'COUNTER',
    relais_process_resident_memory_bytes: 'GAUGE',
    relais_nodejs_eventloop_lag_seconds: 'GAUGE',
  }
  for (const [name, type] of Object.entries(types)) assert.is(m.get(name)?.type, type, name)
  assert.is(value(m, 'relais_mqtt_connected_clients'), 0)
})

t('events, rejects, replays, acks, health and sessions move the values', async ({ tc, ops }) => {
  const before = await scrape(tc, ops)
  const { secret } = await tc.agent('kitchen', 'home')
  const client = await tc.connect('kitchen', 'kitchen', secret)
  const device = new TestDevice(client, 'kitchen')
  await device.subscribeAcks()
  // Health first: the same connection's packets reach the cloud in order, so it is in before the acks.
  const health = makeEnvelope({
    agent: 'kitchen',
    type: 'health',
    session: 's',
    seq: 0,
    data: { outbox_depth: 4 },
  })
  await client.publishAsync(topics.health('kitchen'), JSON.stringify(health), { qos: 0, retain: true })
  const first = await device.scan('3017620422003')
  const replay = device.scanEnvelope('3017620422003', { id: first.id })
  const replayed = device.waitAck(first.id)
  device.acks.delete(first.id)
  await device.publish(replay)
  await replayed
  const bad = device.scanEnvelope('', {}, {})
  const rejected = device.waitAck(bad.id)
  await device.publish(bad)
  await rejected

  const m = await scrape(tc, ops)
  assert.is(value(m, 'relais_ingest_events_total', { event: 'scan', outcome: first.ack.outcome }), 1)
  assert.is(value(m, 'relais_ingest_events_total', { event: 'scan', outcome: 'replayed' }), 1)
  assert.is(value(m, 'relais_ingest_events_total', { event: 'scan', outcome: 'rejected' }), 1)
  const rejects = (m.get('relais_ingest_rejects_total')?.metrics ?? []).reduce(
    (n, s) => n + Number(s.value),
    0,
  )
  assert.is(rejects, 1)
  const acks = sample(m, 'relais_ingest_ack_latency_seconds')
  assert.is(Number(acks?.count), 3)
  assert.is(Number(acks?.buckets?.['+Inf']), 3)
  assert.ok(Number(acks?.sum) >= 0)
  assert.is(value(m, 'relais_agent_outbox_depth', { agent: 'kitchen' }), 4)
  assert.is(value(m, 'relais_mqtt_connected_clients'), 1)
  assert.is(value(m, 'relais_mqtt_sessions', { kind: 'agent' }), 1)
  assert.is(value(m, 'relais_mqtt_sessions', { kind: 'account' }), 0)
  assert.ok(value(m, 'relais_ingest_received_total') > value(before, 'relais_ingest_received_total'))
  // Each applied event is a time-series point, buffered or written: the buffer's counters see it.
  const points =
    value(m, 'relais_timeseries_buffered_points') + value(m, 'relais_timeseries_written_points_total')
  assert.ok(points >= 1, `points ${points}`)
  await client.endAsync()
})

t('account sessions and sessions ended by a revoke are counted', async ({ tc, ops }) => {
  const { secret } = await addAccount(tc.cloud.db, {
    name: 'telegraf',
    read: ['relais/v1/+/health'],
    write: [],
    deny: [],
  })
  const c = await tc.connect('telegraf-1', 'telegraf', secret)
  const before = await scrape(tc, ops)
  assert.is(value(before, 'relais_mqtt_sessions', { kind: 'account' }), 1)
  const closed = new Promise<void>((resolve) => c.once('close', () => resolve()))
  await revokeAccount(tc.cloud.db, 'telegraf')
  await tc.cloud.credentials?.check()
  await closed
  const after = await scrape(tc, ops)
  assert.is(
    value(after, 'relais_mqtt_sessions_closed_credentials_total') -
      value(before, 'relais_mqtt_sessions_closed_credentials_total'),
    1,
  )
  assert.is(value(after, 'relais_mqtt_sessions', { kind: 'account' }), 0)
})

t.run()
