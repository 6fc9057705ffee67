// The ops page's health series from a real InfluxDB (the Debian `influxdb` package, started by the test
// on free loopback ports): an agent's health messages, written by the fleet state through the Influx
// sink, come back from GET /api/agents/:agent/health as bucket means, as they do from the embedded sink
// (ops-api.test.ts).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findInfluxd, type Influxd, startInfluxd } from '../../scripts/testkit/influxd.js'
import { serviceAvailable } from '../../scripts/testkit/services.js'
import { createToken } from '../src/domains/tokens/tokens.js'
import { startTestCloud, type TestCloud } from './support/harness.js'
import { type OpsAgent, provision } from './support/ops-agents.js'
import { until } from './support/presence.js'

const bin = findInfluxd()
const available = serviceAvailable('influxd', bin, 'apt-get install influxdb')
const t = suite<{ influx: Influxd; tc: TestCloud; agent: OpsAgent; ops: string }>('ops health from InfluxDB')
const it = available ? t : t.skip

t.before(async (ctx) => {
  if (!available) return
  ctx.influx = await startInfluxd({ bin })
  ctx.tc = await startTestCloud({ RELAIS_INFLUX_URL: ctx.influx.url, RELAIS_INFLUX_DATABASE: 'relais_ops' })
  await ctx.tc.household('home')
  ctx.ops = await createToken(ctx.tc.cloud.db, { scope: 'ops', name: 'ops' })
  ctx.agent = await provision(ctx.tc.cloud.db, 'kitchen-pi', 'scanner', { householdId: 'home' })
  await ctx.agent.connect(ctx.tc.cloud.mqttPort)
})
t.after(async (ctx) => {
  await ctx.agent?.client?.endAsync(true).catch(() => {})
  await ctx.tc?.stop()
  await ctx.influx?.stop()
})

it('health points come back as bucket means', async (ctx) => {
  for (const rss of [30e6, 34e6]) await ctx.agent.health({ rss_bytes: rss, outbox_depth: 2 })
  const url = '/api/agents/kitchen-pi/health?field=rss_bytes,outbox_depth'
  const headers = { authorization: `Bearer ${ctx.ops}` }
  const body = await until(async () => {
    const r = (await ctx.tc.cloud.app.inject({ url, headers })).json()
    return r.points?.length > 0 ? r : undefined
  }, 30_000)
  assert.equal(body.fields, ['rss_bytes', 'outbox_depth'])
  for (const p of body.points) {
    assert.ok(p.values.rss_bytes >= 30e6 && p.values.rss_bytes <= 34e6, String(p.values.rss_bytes))
    assert.is(p.values.outbox_depth, 2)
  }
})

t.run()
