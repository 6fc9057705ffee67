// The Grafana dashboard (cloud/grafana/relais-dashboard.json) against what the cloud really writes: a
// real cloud ingests a scan, a press, a reject and an agent's health, the points it records are
// captured, and every InfluxQL query of the dashboard must name a measurement, fields and tags found
// among them, in the retention policy the InfluxDB sink writes to ("relais"). A renamed field breaks
// this test rather than a panel nobody looks at.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeEnvelope, topics } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { addAgent } from '../src/domains/agents/agents.js'
import { createSite } from '../src/domains/sites/sites.js'
import type { Point } from '../src/timeseries/point.js'
import { startTestCloud, type TestCloud, TestDevice } from './support/harness.js'

const grafana = join(fileURLToPath(import.meta.url), '..', '..', 'grafana')

interface Target {
  query: string
  rawQuery?: boolean
  datasource?: { uid: string }
}
interface Panel {
  type: string
  title: string
  datasource?: { uid: string }
  targets?: Target[]
}

/** measurement -> fields and tags seen in recorded points. */
type Written = Map<string, { fields: Set<string>; tags: Set<string> }>

const t = suite<{ tc: TestCloud; written: Written }>('Grafana dashboard')

t.before(async (ctx) => {
  ctx.tc = await startTestCloud()
  ctx.written = new Map()
  const series = ctx.tc.cloud.series
  const record = series.record.bind(series)
  series.record = (p: Point) => {
    const w = ctx.written.get(p.measurement) ?? { fields: new Set<string>(), tags: new Set<string>() }
    for (const f of Object.keys(p.fields)) w.fields.add(f)
    for (const k of Object.keys(p.tags ?? {})) w.tags.add(k)
    ctx.written.set(p.measurement, w)
    record(p)
  }
  const { tc } = ctx
  await tc.household('home')
  const scanner = await tc.agent('kitchen', 'home')
  const client = await tc.connect('kitchen', 'kitchen', scanner.secret)
  const scans = new TestDevice(client, 'kitchen')
  await scans.subscribeAcks()
  // The fields the edge agent sends in its health (edge/src/features/health.ts).
  const health = {
    uptime_s: 12,
    rss_bytes: 50_000_000,
    heap_used_bytes: 20_000_000,
    event_loop_lag_ms: 1.5,
    outbox_depth: 0,
    outbox_dropped: 0,
    outbox_inflight: 0,
    clock_synced: true,
    cpu_temp_c: 48.2,
  }
  const env = makeEnvelope({ agent: 'kitchen', type: 'health', session: 's', seq: 0, data: health })
  await client.publishAsync(topics.health('kitchen'), JSON.stringify(env), { qos: 0, retain: true })
  await scans.scan('3017620422003')
  const bad = scans.scanEnvelope('')
  const rejected = scans.waitAck(bad.id)
  await scans.publish(bad)
  await rejected

  await createSite(tc.cloud.db, { id: 'rivoli-12', address: '12 rue de Rivoli', lat: 48.86, lon: 2.35 })
  const box = await addAgent(tc.cloud.db, { id: 'box-12', siteId: 'rivoli-12' })
  const button = new TestDevice(await tc.connect('box-12', 'box-12', box.secret), 'box-12', 'button')
  await button.subscribeAcks()
  const press = makeEnvelope({
    agent: 'box-12',
    device: 'button',
    type: 'press',
    session: 's',
    seq: 0,
    data: { press: 'single' },
  })
  const pressed = button.waitAck(press.id)
  await button.publish(press, topics.event('box-12', 'button', 'press'))
  await pressed
})
t.after(async (ctx) => ctx.tc.stop())

const dashboard = JSON.parse(readFileSync(join(grafana, 'relais-dashboard.json'), 'utf8')) as {
  uid: string
  panels: Panel[]
  templating: { list: Array<{ query: string; datasource: { uid: string } }> }
}
const targets = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((target) => ({ panel: p.title, target })),
)

/** The measurement, fields and tags an InfluxQL statement of the dashboard names. */
function names(query: string) {
  const from = [...query.matchAll(/FROM "([^"]+)"\."([^"]+)"/g)].map((m) => ({
    rp: m[1]!,
    measurement: m[2]!,
  }))
  const select = /^SELECT (.*) FROM /.exec(query)?.[1] ?? ''
  const fields = [...select.matchAll(/\w+\("([^"]+)"\)/g)].map((m) => m[1]!)
  const groupBy = /GROUP BY (.*?)(?: fill\(|$)/.exec(query)?.[1] ?? ''
  const tags = [
    ...[...groupBy.matchAll(/"([^"]+)"/g)].map((m) => m[1]!),
    ...[...query.matchAll(/"([^"]+)" =~/g)].map((m) => m[1]!),
    ...[...query.matchAll(/WITH KEY = "([^"]+)"/g)].map((m) => m[1]!),
  ]
  return { from, fields, tags }
}

t('the data source it names is the one provisioned', () => {
  const provisioned = /uid:\s*(\S+)/.exec(
    readFileSync(join(grafana, 'provisioning', 'datasources.yaml'), 'utf8'),
  )?.[1]
  assert.is(provisioned, 'relais-influxdb')
  for (const { panel, target } of targets) assert.is(target.datasource?.uid, provisioned, panel)
  for (const v of dashboard.templating.list) assert.is(v.datasource.uid, provisioned)
  assert.match(readFileSync(join(grafana, 'provisioning', 'dashboards.yaml'), 'utf8'), /type: file/)
})

t('it has panels for scans, presses, rejects and agent health', () => {
  const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n')
  for (const word of [
    'scans',
    'presses',
    'rejects',
    'outbox depth',
    'memory',
    'event-loop lag',
    'clock synced',
  ])
    assert.ok(titles.includes(word), word)
  assert.ok(targets.length >= 10)
})

t('every query names measurements, fields and tags the cloud writes', ({ written }) => {
  const queries = [
    ...targets.map((x) => ({ where: x.panel, query: x.target.query })),
    ...dashboard.templating.list.map((v) => ({ where: 'variable', query: v.query })),
  ]
  for (const { where, query } of queries) {
    const n = names(query)
    assert.ok(n.from.length === 1, `${where}: one measurement in ${query}`)
    const { rp, measurement } = n.from[0]!
    assert.is(rp, 'relais', `${where}: the retention policy the InfluxDB sink writes`)
    const w = written.get(measurement)
    assert.ok(
      w,
      `${where}: the cloud writes no '${measurement}' (it wrote ${[...written.keys()].join(', ')})`,
    )
    for (const f of n.fields) assert.ok(w!.fields.has(f), `${where}: '${measurement}' has no field '${f}'`)
    for (const tag of n.tags.filter((x) => x !== 'time'))
      assert.ok(w!.tags.has(tag), `${where}: '${measurement}' has no tag '${tag}'`)
  }
})

t.run()
