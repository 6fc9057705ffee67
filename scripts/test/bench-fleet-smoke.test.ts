// The fleet bench's machinery end to end, briefly: 20 agents against a cloud process over two worker
// processes, a few seconds of scans and health, the Mosquitto ceiling; then the same against two nodes
// on Redis and PostgreSQL. Only that every column of the report is filled, every scan was acked and
// the nodes' shares add up; speed is the bench's business, never a test's.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fleetChart } from '../bench/fleet-chart.js'
import { COLUMNS, errorsOf, formatFleetReport } from '../bench/fleet-report.js'
import { type FleetRun, runFleet } from '../bench/fleet-run.js'
import { spreadOver } from '../bench/fleet-workers.js'
import { findMosquitto, MOSQUITTO_INSTALL } from '../testkit/mosquitto.js'
import { findPostgres, postgresInstallHint } from '../testkit/postgres.js'
import { findRedis, redisInstallHint } from '../testkit/redis.js'
import { serviceAvailable } from '../testkit/services.js'

const t = suite('fleet bench smoke')
// The Mosquitto ceiling fills a column; without the broker the column could not be checked.
const test = serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) ? t : t.skip
const cluster =
  serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) &&
  serviceAvailable('redis-server', findRedis(), redisInstallHint) &&
  serviceAvailable('PostgreSQL', findPostgres(), postgresInstallHint)
    ? t
    : t.skip

const brief = {
  agents: [20],
  rate: 40,
  seconds: 3,
  // Short enough that every agent sends health within the window.
  healthS: 1,
  influx: false,
  workers: 2,
  settleSeconds: 0.5,
  ceilingSeconds: 1,
}

/** The report's table has every column, each cell filled; returns the row's cells. */
function checkReport(run: FleetRun): string[] {
  const lines = formatFleetReport(run).split('\n')
  const header = lines.find((l) => l.trim().startsWith('agents'))
  assert.ok(header, 'no table header')
  assert.is(header.trim().split(/\s{2,}/).length, COLUMNS.length, header)
  const row = lines[lines.indexOf(header) + 1]!
  const cells = row.trim().split(/\s{2,}/)
  assert.is(cells.length, COLUMNS.length, row)
  for (const cell of cells) assert.ok(cell !== '-' && !/NaN|Infinity/.test(cell), `unfilled: ${row}`)
  assert.ok(lines.some((l) => l.startsWith('acks: every scan acked')))
  return cells
}

test('agents are dealt round robin over the nodes', () => {
  const creds = Array.from({ length: 5 }, (_, i) => ({ agent: `a${i}`, username: `a${i}`, password: 'x' }))
  assert.equal(
    spreadOver(creds, [1001, 1002]).map((d) => d.port),
    [1001, 1002, 1001, 1002, 1001],
  )
  assert.equal(
    spreadOver(creds, [1001]).map((d) => d.port),
    [1001, 1001, 1001, 1001, 1001],
  )
})

test('20 agents: every scan acked, every column of the report filled, a chart drawn', async () => {
  const run = await runFleet({ ...brief, nodes: 1, database: 'sqlite' })
  const [r] = run.results
  assert.ok(r)
  assert.is(errorsOf(r), 0, JSON.stringify(r))
  assert.is(r.held, 20)
  assert.ok(r.acked > 0 && r.acked === r.sent, `sent ${r.sent}, acked ${r.acked}`)
  const cells = checkReport(run)
  assert.equal(cells.slice(1, 3), ['1', 'sqlite'])

  const png = fleetChart(run.results, 40)
  assert.ok(png)
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
})

cluster(
  '20 agents on two nodes (Redis, PostgreSQL): dealt 10 and 10, every scan acked, sums of both',
  async () => {
    const run = await runFleet({ ...brief, nodes: 2, database: 'postgres' })
    const [r] = run.results
    assert.ok(r, run.failure?.error)
    assert.is(errorsOf(r), 0, JSON.stringify(r))
    assert.is(r.held, 20)
    assert.ok(r.acked > 0 && r.acked === r.sent, `sent ${r.sent}, acked ${r.acked}`)
    assert.equal(
      r.perNode.map((n) => [n.agents, n.connected]),
      [
        [10, 10],
        [10, 10],
      ],
    )
    assert.is(r.cloudConnected, 20)
    assert.ok(Math.abs(r.cloudRssMB - r.perNode[0]!.rssMB - r.perNode[1]!.rssMB) < 1e-9)
    assert.ok(Math.abs(r.cloudCpuPercent - r.perNode[0]!.cpuPercent - r.perNode[1]!.cpuPercent) < 1e-9)
    assert.ok(r.perNode.every((n) => n.cpuPercent > 0))
    assert.ok((r.services.redisCpuPercent ?? 0) > 0 && (r.services.postgresCpuPercent ?? 0) > 0)
    const cells = checkReport(run)
    assert.equal(cells.slice(1, 3), ['2', 'postgres'])
    assert.ok(formatFleetReport(run).includes('  node 2: 10 agents dealt'))
  },
)

t.run()
