// The end-to-end proof: the cloud as its own process, a plain MQTT.js client as the device,
// 1,000 scans over 20 codes, some sent twice, some while the cloud is SIGKILLed and restarted. The
// final list must equal the expected quantities exactly and every scan must be acked.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Envelope, gtinCheckDigit, makeEnvelope, parseBarcode, topics } from '@relais/hardware'
import mqtt from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { freePort, waitFor } from '../../scripts/testkit/services.js'
import { CloudProcess, relaisJson } from './support/process.js'

const t = suite('end to end: cloud process, SIGKILL, replays')

t('1,000 scans over 20 codes end exactly right and are all acked', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-e2e-'))
  const env = {
    RELAIS_DATA_DIR: dataDir,
    RELAIS_MQTT_PORT: String(await freePort()),
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: String(await freePort()),
    RELAIS_HTTP_HOST: '127.0.0.1',
  }
  const cloud = new CloudProcess(env)
  const client = { c: undefined as mqtt.MqttClient | undefined }
  try {
    const household = await relaisJson(env, 'household', 'add', 'home')
    const agent = await relaisJson(env, 'agent', 'add', 'kitchen', '--household', 'home')
    await cloud.start()

    const codes = Array.from({ length: 20 }, (_, i) => {
      const body = `400${String(i).padStart(9, '0')}`
      return body + gtinCheckDigit(body)
    })
    const expected = new Map<string, number>()
    const base = Date.UTC(2026, 10, 1)
    // Every scan 5 s apart at the source, so none falls inside the 3 s debounce window.
    const events: Envelope[] = Array.from({ length: 1000 }, (_, i) => {
      const code = codes[(i * 7 + (i >> 3)) % 20]!
      expected.set(code, (expected.get(code) ?? 0) + 1)
      return makeEnvelope({
        agent: 'kitchen',
        device: 'scanner-1',
        type: 'scan',
        session: 'e2e',
        seq: i,
        ts: base + i * 5000,
        data: { code },
      })
    })

    const acked = new Map<string, Envelope>()
    const c = mqtt.connect({
      host: '127.0.0.1',
      port: Number(env.RELAIS_MQTT_PORT),
      clientId: 'kitchen',
      username: String(agent.username),
      password: String(agent.secret),
      reconnectPeriod: 200,
      connectTimeout: 2000,
    })
    client.c = c
    const ackTopic = topics.cmd('kitchen', 'ack', 'scanner-1')
    c.on('connect', () => c.subscribe(ackTopic, { qos: 1 }))
    c.on('message', (_topic, payload) => {
      const e = JSON.parse(payload.toString()) as Envelope
      if (e.corr) acked.set(e.corr, e)
    })
    c.on('error', () => {})
    await waitFor('the device to connect', async () => c.connected)

    const topic = topics.event('kitchen', 'scanner-1', 'scan')
    const send = (e: Envelope) => c.publish(topic, JSON.stringify(e), { qos: 1 })
    // Like the edge outbox: whatever has no ack yet is sent again with the same id.
    const resend = setInterval(() => {
      if (!c.connected) return
      for (const e of events) if (!acked.has(e.id) && sent.has(e.id)) send(e)
    }, 1500)
    const sent = new Set<string>()
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      sent.add(e.id)
      send(e)
      if (i % 10 === 3) send(e) // some sent twice straight away
      if (i === 400 || i === 750) {
        await cloud.kill('SIGKILL')
        // Scans made while the cloud is down wait in the client's queue.
        for (let k = 1; k <= 20; k++) {
          const next = events[i + k]!
          sent.add(next.id)
          send(next)
        }
        i += 20
        await cloud.start()
      }
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5))
    }
    await waitFor('every scan acked', async () => acked.size === events.length, 60_000)
    clearInterval(resend)

    const outcomes = new Map<string, number>()
    for (const a of acked.values()) {
      const o = (a.data as { outcome: string }).outcome
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1)
    }
    assert.is(outcomes.get('rejected') ?? 0, 0)
    assert.is(outcomes.get('duplicate') ?? 0, 0)

    const res = await fetch(`http://127.0.0.1:${env.RELAIS_HTTP_PORT}/api/households/home/list`, {
      headers: { authorization: `Bearer ${household.token}` },
    })
    assert.is(res.status, 200)
    const body = (await res.json()) as { items: Array<{ key: string; quantity: number }> }
    const got = Object.fromEntries(body.items.map((it) => [it.key, it.quantity]))
    const want = Object.fromEntries([...expected].map(([code, n]) => [parseBarcode(code).key!, n]))
    assert.equal(got, want)
  } finally {
    client.c?.end(true)
    await cloud.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
})

t.run()
