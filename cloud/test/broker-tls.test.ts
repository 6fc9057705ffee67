// The TLS listener: an agent connects over mqtts with the cloud's certificate and is held to the same
// rules as on plain TCP.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findExecutable, freePort, serviceAvailable } from '../../scripts/testkit/services.js'
import { startTestCloud, TestDevice } from './support/harness.js'

const t = suite('broker over TLS')
const openssl = findExecutable('openssl')
const run = serviceAvailable('openssl', openssl, 'apt-get install openssl') ? t : t.skip

run('an agent connects over TLS, scans, is acked; a wrong secret is refused there too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-tls-'))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync(
    openssl!,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  )
  const tlsPort = await freePort()
  const tc = await startTestCloud({
    RELAIS_MQTTS_PORT: String(tlsPort),
    RELAIS_TLS_CERT: cert,
    RELAIS_TLS_KEY: key,
  })
  try {
    assert.is(tc.cloud.broker!.tlsPort, tlsPort)
    await tc.household('home')
    const a = await tc.agent('kitchen', 'home')
    const ca = readFileSync(cert)
    const client = await mqtt.connectAsync({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: tlsPort,
      ca,
      clientId: 'kitchen',
      username: 'kitchen',
      password: a.secret,
      reconnectPeriod: 0,
    })
    const dev = new TestDevice(client, 'kitchen')
    await dev.subscribeAcks()
    assert.is((await dev.scan('3017620422003')).ack.outcome, 'unknown_product')
    await client.endAsync()
    const refused = await mqtt
      .connectAsync({
        protocol: 'mqtts',
        host: '127.0.0.1',
        port: tlsPort,
        ca,
        clientId: 'kitchen',
        username: 'kitchen',
        password: 'wrong',
        reconnectPeriod: 0,
      })
      .then(
        () => 0,
        (e: { code?: number }) => e.code,
      )
    assert.is(refused, 5)
  } finally {
    await tc.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

t.run()
