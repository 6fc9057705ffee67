// Integration accounts from Debian's mosquitto_pub and mosquitto_sub, the clients ops staff reach for
// first: another MQTT implementation than MQTT.js talking to the broker under the same rules.
import { execFile } from 'node:child_process'
import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { MOSQUITTO_INSTALL } from '../../scripts/testkit/mosquitto.js'
import { findExecutable, serviceAvailable } from '../../scripts/testkit/services.js'
import { addAccount } from '../src/domains/accounts/accounts.js'
import { startTestCloud, type TestCloud } from './support/harness.js'

const pub = findExecutable('mosquitto_pub')
const sub = findExecutable('mosquitto_sub')
const t = suite<{ tc: TestCloud; ha: string }>('accounts with mosquitto clients')
const run = serviceAvailable('mosquitto_pub and mosquitto_sub', pub && sub, MOSQUITTO_INSTALL) ? t : t.skip

interface Ran {
  code: number
  stdout: string
  stderr: string
}
function tool(bin: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) =>
    execFile(bin, args, { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  )
}

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  await ctx.tc.household('home')
  ctx.ha = (
    await addAccount(ctx.tc.cloud.db, {
      name: 'home-assistant',
      read: ['relais/v1/+/health', 'ha/#'],
      write: ['ha/+/set'],
      deny: [],
    })
  ).secret
})
t.after(async (ctx) => ctx.tc.stop())

const conn = (tc: TestCloud, user: string, secret: string) => [
  '-h',
  '127.0.0.1',
  '-p',
  String(tc.cloud.mqttPort),
  '-u',
  user,
  '-P',
  secret,
  '-V',
  'mqttv311',
]

run('mosquitto_sub reads an agent health within the account patterns', async ({ tc, ha }) => {
  const a = await tc.agent('kitchen', 'home')
  const pi = await tc.connect('kitchen', 'kitchen', a.secret)
  const health = makeEnvelope({
    agent: 'kitchen',
    type: 'health',
    session: 's',
    seq: 0,
    data: { outbox_depth: 7 },
  })
  await pi.publishAsync(topics.health('kitchen'), JSON.stringify(health), { qos: 1, retain: true })
  // Retained, so the subscriber gets it on subscribing; -C 1 exits after one message.
  const r = await tool(sub!, [
    ...conn(tc, 'home-assistant', ha),
    '-i',
    'ha-sub',
    '-t',
    'relais/v1/+/health',
    '-C',
    '1',
    '-W',
    '10',
    '-v',
  ])
  assert.is(r.code, 0, r.stderr)
  assert.ok(r.stdout.startsWith(`${topics.health('kitchen')} `), r.stdout)
  assert.ok(r.stdout.includes('"outbox_depth":7'))
  await pi.endAsync()
})

run(
  'mosquitto_sub is told its subscription was refused when the filter is wider than the reads',
  async ({ tc, ha }) => {
    const r = await tool(sub!, [
      ...conn(tc, 'home-assistant', ha),
      '-i',
      'ha-wide',
      '-t',
      'relais/v1/#',
      '-C',
      '1',
      '-W',
      '5',
      '-d',
    ])
    // -d prints the SUBACK's code; mosquitto_sub 2.x then gives up, saying every request was denied.
    assert.match(r.stdout, /Subscribed \(mid: \d+\): 128/)
    assert.match(r.stderr, /All subscription requests were denied/)
  },
)

run('mosquitto_pub publishes under a write pattern and is cut off outside it', async ({ tc, ha }) => {
  const reader = await tc.connect('ha-reader', 'home-assistant', ha)
  await reader.subscribeAsync('ha/#', { qos: 1 })
  const got = new Promise<string>((resolve) => reader.on('message', (topic, p) => resolve(`${topic} ${p}`)))
  const ok = await tool(pub!, [
    ...conn(tc, 'home-assistant', ha),
    '-i',
    'ha-pub',
    '-t',
    'ha/kitchen/set',
    '-m',
    'on',
    '-q',
    '1',
  ])
  assert.is(ok.code, 0, ok.stderr)
  assert.is(await got, 'ha/kitchen/set on')
  const refused = await tool(pub!, [
    ...conn(tc, 'home-assistant', ha),
    '-i',
    'ha-pub-2',
    '-t',
    'ha/kitchen/state',
    '-m',
    'x',
    '-q',
    '1',
  ])
  assert.is.not(refused.code, 0, 'the broker closed the connection instead of a PUBACK (MQTT-3.3.5-2)')
  assert.ok(tc.logs.some((l) => l.includes('publish refused') && l.includes('ha/kitchen/state')))
  await reader.endAsync()
})

run('mosquitto_pub with a wrong secret is refused as not authorised', async ({ tc }) => {
  const r = await tool(pub!, [
    ...conn(tc, 'home-assistant', 'wrong'),
    '-i',
    'ha-x',
    '-t',
    'ha/a/set',
    '-m',
    'x',
  ])
  assert.is.not(r.code, 0)
  assert.match(r.stderr, /not authori[sz]ed/i)
})

t.run()
