// Why an agent's last connection ended, as the broker saw it, on a real cloud and real sockets: a clean
// DISCONNECT, a socket that died (its will), a second connection with the same client id (MQTT-3.1.4-2),
// a keep-alive that ran out (MQTT-3.1.2-24), and a refused secret (counted per address for the alerts).
import { connect } from 'node:net'
import mqtt from 'mqtt'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../scripts/testkit/services.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { AlertFleet } from './support/alert-fleet.js'

const f = new AlertFleet({ RELAIS_INGEST_WORKER: 'off' })
let port = 0
let auth: { authorization: string }

test.before(async () => {
  const cloud = await f.boot()
  port = cloud.mqttPort
  await f.provision(6, 'home')
  auth = { authorization: `Bearer ${await createToken(cloud.db, { scope: 'ops', name: 'ops' })}` }
})
test.after(async () => {
  for (const a of f.agents) a.kill()
  await f.cloud.stop()
})

const reason = (i: number) => f.availability(f.agents[i]!.agent)?.lastDisconnect?.reason
const until = (what: string, check: () => boolean) => waitFor(what, async () => check(), 15_000)

test('a clean stop says clean', async () => {
  const a = f.agents[0]!
  await a.connect(port)
  await a.stop()
  await until('clean', () => reason(0) === 'clean')
})

test('a dead socket says socket_error, and the will makes it offline after the grace', async () => {
  const a = f.agents[1]!
  await a.connect(port)
  a.kill()
  await until('socket error', () => reason(1) === 'socket_error')
  await until('will', () => f.availability(a.agent)?.pendingDownAt !== null)
  await f.clock.advance(30_000)
  assert.is(f.availability(a.agent)!.state, 'offline')
})

test('a second connection with the same client id replaces the first', async () => {
  const a = f.agents[2]!
  await a.connect(port)
  const old = a.client!
  await a.connect(port)
  await until('replaced', () => reason(2) === 'replaced_session')
  old.end(true)
  const res = await f.cloud.app.inject({ url: `/api/agents/${a.agent}/availability`, headers: auth })
  assert.equal([res.statusCode, res.json().sessionsToday, res.json().state], [200, 2, 'online'])
})

test('a keep-alive that runs out says keepalive_timeout', async () => {
  const a = f.agents[3]!
  // A raw client: CONNECT with a 1 s keep-alive, then nothing at all (MQTT.js would ping).
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  socket.write(connectPacket(a.agent, a.o.secret, 1))
  await until('keep-alive timeout', () => reason(3) === 'keepalive_timeout')
  socket.destroy()
})

test('a refused secret is refused_auth for an agent not connected, and counted per address', async () => {
  const a = f.agents[4]!
  await a.connect(port)
  await a.stop()
  await until('clean', () => reason(4) === 'clean')
  const err = await mqtt
    .connectAsync({
      host: '127.0.0.1',
      port,
      clientId: a.agent,
      username: a.agent,
      password: 'wrong',
      reconnectPeriod: 0,
    })
    .then(
      () => undefined,
      (e: { code?: number }) => e,
    )
  assert.is(err?.code, 5)
  await until('refused', () => reason(4) === 'refused_auth')
  const counts = f.cloud.alerts!.evaluator!.authFailures.counts(f.clock.now())
  assert.is(counts.get('127.0.0.1'), 1)
  // The live session of another agent is not marked by a stranger's wrong guess.
  const b = f.agents[5]!
  await b.connect(port)
  await mqtt
    .connectAsync({
      host: '127.0.0.1',
      port,
      clientId: 'x',
      username: b.agent,
      password: 'wrong',
      reconnectPeriod: 0,
    })
    .catch(() => {})
  await mqtt
    .connectAsync({
      host: '127.0.0.1',
      port,
      clientId: b.agent,
      username: b.agent,
      password: 'wrong',
      reconnectPeriod: 0,
    })
    .catch(() => {})
  await until(
    'counted',
    () => f.cloud.alerts!.evaluator!.authFailures.counts(f.clock.now()).get('127.0.0.1') === 3,
  )
  assert.is(f.availability(b.agent)!.lastDisconnect, null)
})

test('the availability API: 404 for an unknown agent, 401 without a token, 403 for a household token', async () => {
  assert.is(
    (await f.cloud.app.inject({ url: '/api/agents/nobody/availability', headers: auth })).statusCode,
    404,
  )
  assert.is(
    (await f.cloud.app.inject({ url: `/api/agents/${f.agents[0]!.agent}/availability` })).statusCode,
    401,
  )
  const { createHousehold } = await import('../src/domains/households/households.js')
  const h = await createHousehold(f.cloud.db, { id: 'other' })
  const res = await f.cloud.app.inject({
    url: `/api/agents/${f.agents[0]!.agent}/availability`,
    headers: { authorization: `Bearer ${h.token}` },
  })
  assert.is(res.statusCode, 403)
})

/** An MQTT 3.1.1 CONNECT (MQTT-3.1): clean session, username and password, the given keep-alive. */
function connectPacket(clientId: string, password: string, keepaliveS: number): Buffer {
  const str = (s: string) => {
    const b = Buffer.from(s)
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b])
  }
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, 0b1100_0010, keepaliveS >> 8, keepaliveS & 255]), // level 4; user, password, clean
    str(clientId),
    str(clientId),
    str(password),
  ])
  return Buffer.concat([Buffer.from([0x10, body.length]), body]) // body < 128 bytes: one length byte
}

test.run()
