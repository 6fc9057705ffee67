// A rotated or revoked agent that is connected is disconnected: through the HTTP API at once (the route
// asks the broker before it answers; the poll is set too long to be what did it), and through the CLI,
// in its own database connection as from another process, by the running cloud's credentials poll.

import type { MqttClient } from 'mqtt'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'

const closed = (c: MqttClient) => new Promise<void>((resolve) => c.once('close', () => resolve()))

async function cli(tc: TestCloud, ...args: string[]) {
  const out: string[] = []
  const ctx: CliContext = {
    json: true,
    env: tc.env,
    out: (l) => out.push(l),
    err: () => {},
    isTTY: false,
  }
  const code = await main([...args, '--json'], ctx)
  return { code, json: JSON.parse(out[0]!) as Record<string, unknown> }
}

const viaHttp = suite<{ tc: TestCloud; ops: string }>('credentials changed through the HTTP API')
viaHttp.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_CREDENTIALS_POLL_MS: '600000' })
  await ctx.tc.household('home')
  ctx.ops = await createToken(ctx.tc.cloud.db, { scope: 'ops', name: 'ops' })
})
viaHttp.after(async (ctx) => ctx.tc.stop())

viaHttp(
  'rotating ends the session using the old secret; the new one connects, the old one no more',
  async ({ tc, ops }) => {
    const { secret } = await tc.agent('kitchen', 'home')
    const pi = await tc.connect('kitchen', 'kitchen', secret)
    const end = closed(pi)
    const r = await tc.cloud.app.inject({
      method: 'POST',
      url: '/api/agents/kitchen/rotate',
      headers: { authorization: `Bearer ${ops}` },
    })
    assert.is(r.statusCode, 200, r.body)
    await end
    const fresh = (r.json() as { secret: string }).secret
    const again = await tc.connect('kitchen', 'kitchen', fresh)
    assert.ok(again.connected)
    await tc.connect('kitchen', 'kitchen', secret).then(
      () => assert.unreachable('the old secret connected'),
      (err: { code?: number }) => assert.is(err.code, 5),
    )
    // The session of the new secret is left alone by later checks.
    await tc.cloud.credentials?.check()
    assert.ok(again.connected)
    await again.endAsync()
  },
)

viaHttp('revoking ends the session and every later connect', async ({ tc, ops }) => {
  const { secret } = await tc.agent('hall', 'home')
  const pi = await tc.connect('hall', 'hall', secret)
  const end = closed(pi)
  const r = await tc.cloud.app.inject({
    method: 'DELETE',
    url: '/api/agents/hall',
    headers: { authorization: `Bearer ${ops}` },
  })
  assert.is(r.statusCode, 200, r.body)
  await end
  await tc.connect('hall', 'hall', secret).then(
    () => assert.unreachable('a revoked agent connected'),
    (err: { code?: number }) => assert.is(err.code, 5),
  )
  assert.ok(
    tc.logs.some((l) => l.includes('session closed: its credentials changed') && l.includes('"hall"')),
  )
  assert.not.ok(
    tc.logs.some((l) => l.includes(secret)),
    'no secret in the logs',
  )
})
viaHttp.run()

const viaCli = suite<{ tc: TestCloud }>('credentials changed by the CLI')
viaCli.before(async (ctx) => {
  ctx.tc = await startTestCloud({ RELAIS_CREDENTIALS_POLL_MS: '100' })
  await ctx.tc.household('home')
})
viaCli.after(async (ctx) => ctx.tc.stop())

viaCli('relais agent rotate and revoke reach the running broker through its poll', async ({ tc }) => {
  const { secret } = await tc.agent('kitchen', 'home')
  const pi = await tc.connect('kitchen', 'kitchen', secret)
  const rotatedEnd = closed(pi)
  const rotated = await cli(tc, 'agent', 'rotate', 'kitchen')
  assert.is(rotated.code, 0)
  await rotatedEnd
  const again = await tc.connect('kitchen', 'kitchen', String(rotated.json.secret))
  const revokedEnd = closed(again)
  assert.is((await cli(tc, 'agent', 'revoke', 'kitchen')).code, 0)
  await revokedEnd
  assert.is(tc.cloud.credentials?.closed, 2)
})
viaCli.run()
