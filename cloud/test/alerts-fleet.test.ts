// Issue 6's done-when test: 200 agents speaking the contract over real sockets against the real cloud,
// time driven by a FakeClock. Some are killed (their will fires), some go silent without a will (their
// class's silence timeout fires: minutes for mains scanners and readers, hours for battery buttons), some
// flap within the grace period; devices detach, batteries run low, outboxes grow, clocks drift, a
// stranger guesses secrets and one agent sends garbage. Availability and alerts must be exactly as
// specified, nothing raised twice for one incident, acks stop repeats, ended conditions clear, and a
// restart on the same data dir keeps open alerts without raising them again.
import { filters } from '@relais/hardware'
import mqtt from 'mqtt'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { AlertFleet } from './support/alert-fleet.js'
import type { ContractAgent } from './support/contract-agent.js'
import { WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'alert-webhook-secret-0123456789'
const MIN = 60_000
const receiver = new WebhookReceiver(SECRET)
let fleet: AlertFleet | undefined
const env = {
  RELAIS_OFFLINE_GRACE_S: '30',
  RELAIS_SILENCE_SCANNER_S: '300',
  RELAIS_SILENCE_BEACON_S: '300',
  RELAIS_SILENCE_BUTTON_S: String(6 * 3600),
  RELAIS_ALERT_TICK_MS: '5000',
  RELAIS_ALERT_REPEAT_MIN: '10',
  RELAIS_ALERT_OFFLINE_S: '60',
  RELAIS_ALERT_DETACHED_S: '120',
  RELAIS_ALERT_CLOCK_S: '600',
  RELAIS_ALERT_AUTH_FAILURES: '10',
  RELAIS_ALERT_AUTH_WINDOW_S: '600',
  RELAIS_ALERT_REJECTS: '20',
  RELAIS_ALERT_REJECTS_WINDOW_S: '600',
  RELAIS_ALERT_BACKLOG_REPORTS: '5',
  RELAIS_INGEST_WORKER: 'off',
}

test('200 agents: availability, alerts, repeats, acks, clears and a restart', async () => {
  await receiver.start()
  const f = new AlertFleet({
    ...env,
    RELAIS_ALERT_WEBHOOK_URL: receiver.url,
    RELAIS_ALERT_WEBHOOK_SECRET: SECRET,
  })
  fleet = f
  let cloud = await f.boot()
  const ops = await createToken(cloud.db, { scope: 'ops', name: 'ops' })
  const auth = { authorization: `Bearer ${ops}` }
  const all = await f.provision(200, 'home')
  const pick = (from: number, to: number) => all.slice(from, to)
  const killed = pick(0, 20)
  const silent = pick(20, 40)
  const flappers = pick(40, 60)
  const detached = pick(60, 70)
  const lowBattery = pick(70, 75)
  const backlog = pick(75, 80)
  const unsynced = pick(80, 85)
  const rejecter = all[85]!
  const replaced = pick(86, 88)
  const isMains = (a: ContractAgent) => a.o.devices[0]!.kind !== 'button'
  const T0 = f.clock.now()

  // Every alert as published over MQTT, by topic; an ops subscriber in the cloud's process.
  const mqttAlerts = new Map<string, string[]>()
  const unsubscribe = await cloud.bus.subscribe(filters.opsAlerts(), (topic, payload) => {
    mqttAlerts.set(topic, [...(mqttAlerts.get(topic) ?? []), payload.toString()])
  })

  for (const a of all)
    await a.connect(cloud.mqttPort, silent.includes(a) ? { will: false, keepalive: 0 } : {})
  await f.waitAll('every agent online', all, (r) => r.state === 'online')

  // An agent may not read the ops alerts: the broker answers its SUBACK with 0x80 (MQTT-3.9.3-1), which
  // MQTT.js reports as a failed subscription.
  const refused = await all[199]!.client!.subscribeAsync(filters.opsAlerts(), { qos: 1 }).then(
    (granted) => granted[0]?.qos,
    (err: Error) => err.message,
  )
  assert.ok(refused === 128 || /Subscribe error/.test(String(refused)), String(refused))

  // The incidents begin.
  for (const a of [...killed, ...flappers]) a.kill()
  for (const a of detached) await a.deviceStatus(a.o.devices[0]!.id, 'detached', 'USB unplugged')
  await f.waitAll('wills', [...killed, ...flappers], (r) => r.pendingDownAt === T0)
  for (const a of replaced) {
    const second = new (a.constructor as typeof import('./support/contract-agent.js').ContractAgent)(a.o)
    await second.connect(cloud.mqttPort)
    a.client = second.client
    a.session = second.session
  }
  await f.waitAll('replaced sessions', replaced, (r) => r.lastDisconnect?.reason === 'replaced_session')
  for (let i = 0; i < 12; i++) {
    const err = await mqtt
      .connectAsync({
        host: '127.0.0.1',
        port: cloud.mqttPort,
        clientId: 'pi-199',
        username: 'pi-199',
        password: 'guess',
        reconnectPeriod: 0,
      })
      .then(
        () => undefined,
        (e: { code?: number }) => e,
      )
    assert.is(err?.code, 5)
  }
  for (let i = 0; i < 25; i++)
    await rejecter.client!.publishAsync(`relais/v1/${rejecter.agent}/scanner-1/event/scan`, 'not json', {
      qos: 1,
    })

  // Flappers come back within the grace period: not an incident.
  await f.clock.advance(10_000)
  for (const a of flappers) await a.connect(cloud.mqttPort)
  await f.waitAll('flappers back', flappers, (r) => r.pendingDownAt === null && r.state === 'online')

  const reporting = () => all.filter((a) => a.client !== undefined && !silent.includes(a))
  let depth = 0
  const fields = (a: ContractAgent) => ({
    uptime_s: 1,
    outbox_depth: backlog.includes(a) ? depth : 0,
    clock_synced: !unsynced.includes(a),
    ...(lowBattery.includes(a)
      ? { battery_pct: 12 }
      : a.o.devices[0]!.kind === 'button'
        ? { battery_pct: 90 }
        : {}),
  })
  for (let i = 0; i < 20; i++) {
    depth++
    await f.step(MIN, reporting(), fields)
  }
  const t20 = f.clock.now() // T0 + 20 min 10 s
  assert.is(t20, T0 + 20 * MIN + 10_000)

  for (const a of killed) {
    const r = f.availability(a.agent)!
    assert.is(r.state, 'offline', a.agent)
    assert.is(r.since, T0, 'offline since the will, not since the grace ran out')
    assert.is(r.offlineCause, 'status')
    assert.is(r.lastDisconnect?.reason, 'socket_error')
  }
  for (const a of silent) {
    const r = f.availability(a.agent)!
    assert.is(r.state, isMains(a) ? 'offline' : 'online', `${a.agent} ${a.o.devices[0]!.kind}`)
    if (isMains(a)) assert.is(r.offlineCause, 'silence')
  }
  for (const a of flappers) {
    const r = f.availability(a.agent)!
    assert.is(r.state, 'online')
    assert.is(r.flaps, 1)
  }

  const res = await cloud.app.inject({
    method: 'GET',
    url: `/api/agents/${killed[0]!.agent}/availability`,
    headers: auth,
  })
  assert.is(res.statusCode, 200)
  const av = res.json()
  assert.equal(
    [av.state, av.since, av.lastDisconnect.reason, av.sessionsToday],
    ['offline', T0, 'socket_error', 1],
  )
  const flap = (
    await cloud.app.inject({ url: `/api/agents/${flappers[0]!.agent}/availability`, headers: auth })
  ).json()
  assert.is(flap.sessionsToday, 2)

  // Exactly the expected incidents, each raised once.
  const expected = new Set([
    ...killed.map((a) => `offline:${a.agent}`),
    ...silent.filter(isMains).map((a) => `offline:${a.agent}`),
    ...detached.map((a) => `device_detached:${a.agent}:${a.o.devices[0]!.id}`),
    ...lowBattery.map((a) => `battery_low:${a.agent}`),
    ...backlog.map((a) => `outbox_backlog:${a.agent}`),
    ...unsynced.map((a) => `clock_unsynced:${a.agent}`),
  ])
  const open = await f.openAlerts()
  assert.equal(open.map((a) => a.alert_key).sort(), [...expected].sort())
  // The stranger and the garbage stopped at T0: raised at the first tick, cleared once a whole window
  // (10 min) had none. Refused connections count when they happen; rejects when a tick samples ingest.
  const rows = await cloud.db.selectFrom('alerts').selectAll().execute()
  assert.is(rows.length, expected.size + 2, 'no incident raised twice')
  const windowed = { 'auth_failures:127.0.0.1': T0, [`ingest_rejects:${rejecter.agent}`]: T0 + 5000 }
  for (const [key, counted] of Object.entries(windowed)) {
    const a = rows.find((r) => r.alert_key === key)
    assert.ok(a, key)
    assert.equal([Number(a!.raised_at), Number(a!.cleared_at)], [T0 + 5000, counted + 10 * MIN], key)
  }
  for (const a of open.filter((x) => x.rule === 'offline' && killed.some((k) => x.subject === k.agent))) {
    assert.is(Number(a.raised_at), T0 + MIN, 'raised when offline for a minute')
    assert.is(Number(a.repeats), 1, 'repeated 10 minutes after the raise')
  }
  const silentMainsAlert = open.find((a) => a.subject === silent.find(isMains)!.agent)!
  assert.is(
    Number(silentMainsAlert.raised_at),
    T0 + 5 * MIN,
    'offline since its last word: already past the 1 min threshold',
  )

  // Acknowledge half the killed agents' alerts: their repeats stop.
  const ackIds = open
    .filter((a) => a.rule === 'offline' && killed.slice(0, 10).some((k) => a.subject === k.agent))
    .map((a) => a.id)
  for (const id of ackIds) {
    const r = await cloud.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack`, headers: auth })
    assert.is(r.statusCode, 200)
    assert.is(r.json().alert.state, 'acked')
  }
  // Conditions end: five killed agents return, five scanners are plugged back, outboxes drain.
  for (const a of killed.slice(15)) await a.connect(cloud.mqttPort)
  for (const a of detached.slice(0, 5)) await a.deviceStatus(a.o.devices[0]!.id, 'attached')
  depth = 0
  for (let i = 0; i < 20; i++) await f.step(MIN, reporting(), fields)

  const afterAck = await f.openAlerts()
  const byKey = new Map(afterAck.map((a) => [a.alert_key, a]))
  for (const id of ackIds) {
    const a = afterAck.find((x) => x.id === id)!
    assert.is(Number(a.repeats), 1, 'acknowledged: no more repeats')
  }
  for (const a of killed.slice(10, 15)) assert.is(Number(byKey.get(`offline:${a.agent}`)!.repeats), 3)
  for (const a of killed.slice(15)) assert.not.ok(byKey.has(`offline:${a.agent}`), 'back online: cleared')
  for (const a of detached.slice(0, 5)) assert.not.ok(byKey.has(`device_detached:${a.agent}:scanner-1`))
  for (const a of backlog) assert.not.ok(byKey.has(`outbox_backlog:${a.agent}`), 'drained: cleared')
  assert.not.ok(byKey.has('auth_failures:127.0.0.1'), 'a quiet window clears it')
  assert.not.ok(byKey.has(`ingest_rejects:${rejecter.agent}`))
  const cleared = killed[19]!
  const topic = `relais/ops/alerts/offline/${cleared.agent}`
  assert.is(mqttAlerts.get(topic)?.at(-1), '', 'the retained alert is removed when it clears')
  assert.is(JSON.parse(mqttAlerts.get(topic)![0]!).type, 'alert.raised')

  // Restart on the same data dir, same clock: the open alerts stay, none is raised again.
  const before = new Map(afterAck.map((a) => [a.alert_key, a]))
  await unsubscribe()
  await cloud.stop()
  cloud = await f.boot()
  const restartedAt = f.clock.now()
  for (const a of all) if (a.client !== undefined && !silent.includes(a)) await a.connect(cloud.mqttPort)
  for (let i = 0; i < 10; i++) await f.step(MIN, reporting(), fields)
  const afterRestart = await f.openAlerts()
  assert.equal(afterRestart.map((a) => a.alert_key).sort(), [...before.keys()].sort())
  for (const a of afterRestart) {
    const b = before.get(a.alert_key)!
    assert.is(a.id, b.id, `${a.alert_key} kept`)
    assert.is(Number(a.raised_at), Number(b.raised_at))
    if (b.acked_at !== null) assert.is(Number(a.repeats), Number(b.repeats), 'still acknowledged')
  }
  for (const a of killed.slice(10, 15))
    assert.is(
      Number(byKey.get(`offline:${a.agent}`)!.repeats) + 1,
      Number(afterRestart.find((x) => x.alert_key === `offline:${a.agent}`)!.repeats),
    )
  const total = await cloud.db.selectFrom('alerts').select('alert_key').execute()
  assert.is(new Set(total.map((r) => r.alert_key)).size, total.length, 'no incident raised twice')

  // Battery buttons are allowed hours of silence: six hours after their last word they are offline too,
  // counted from the restart (the hours the cloud was not listening are not theirs).
  assert.is(f.availability(silent.find((a) => !isMains(a))!.agent)!.state, 'online')
  for (let t = f.clock.now(); t < restartedAt + 6 * 60 * MIN + 2 * MIN; t = f.clock.now())
    await f.step(4 * MIN, reporting(), fields)
  for (const a of silent) assert.is(f.availability(a.agent)!.state, 'offline', a.agent)
  const buttonAlerts = await f.openAlerts()
  for (const a of silent.filter((x) => !isMains(x)))
    assert.ok(buttonAlerts.some((r) => r.alert_key === `offline:${a.agent}`))

  // Every notice reached the webhook once, signed; one raise per alert.
  const queued = await cloud.db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('channel', '=', 'alerts')
    .execute()
  await waitFor('alert webhooks delivered', async () => receiver.accepted.length === queued.length, 30_000)
  assert.is(receiver.rejected.length, 0)
  const raised = receiver.accepted
    .map((r) => r.notice as unknown as { type: string; alert: { id: string } })
    .filter((n) => n.type === 'alert.raised')
  assert.is(new Set(raised.map((n) => n.alert.id)).size, raised.length, 'one raise per alert')
})

test.after(async () => {
  for (const a of fleet?.agents ?? []) a.kill()
  await fleet?.cloud?.stop().catch(() => {})
  await receiver.stop()
})

test.run()
