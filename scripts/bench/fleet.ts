// `npm run bench:fleet`: K lightweight agents (birth, health, scans waiting for their acks) against one
// cloud process or a cluster of them, with Mosquitto's and InfluxDB's raw rates measured in the same run
// as ceilings. Prints the table and writes bench-results/fleet-<time>.txt, .json and .png (ack latency
// against fleet size). Options: --agents 1000,10000 --rate 100 --seconds 60 --health-s 30 --nodes 1
// --database sqlite|postgres --influx --workers 3 --settle 5 --ceiling-seconds 5. --nodes 2: two cloud
// processes on a Redis and a PostgreSQL of their own (the testkit's), agents dealt round robin;
// --database postgres: one node on the same PostgreSQL, to compare like with like. Not part of `npm run
// bench`: a 10,000-agent run takes many minutes, most of them scrypt (provisioning, then the cloud
// checking each first CONNECT).
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { root } from './agent-procs.js'
import { fleetChart } from './fleet-chart.js'
import { errorsOf, formatFleetReport } from './fleet-report.js'
import { runFleet } from './fleet-run.js'

// Exit through process.exit so the exit hooks kill every child process and remove the temp dirs.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '60' },
    'health-s': { type: 'string', default: '30' },
    nodes: { type: 'string', default: '1' },
    // Default: SQLite for one node, PostgreSQL for more (they must share it).
    database: { type: 'string' },
    influx: { type: 'boolean', default: false },
    workers: { type: 'string', default: '3' },
    settle: { type: 'string', default: '5' },
    'ceiling-seconds': { type: 'string', default: '5' },
  },
})
const number = (name: keyof typeof values, min: number): number => {
  const n = Number(values[name])
  if (!Number.isFinite(n) || n < min)
    throw new Error(`--${name} ${values[name]}: expected a number >= ${min}`)
  return n
}
const agents = String(values.agents).split(',').map(Number)
if (agents.some((k) => !Number.isInteger(k) || k < 1 || k > 50_000))
  throw new Error(`--agents ${values.agents}: expected fleet sizes like 1000,10000`)
const nodes = number('nodes', 1)
if (!Number.isInteger(nodes) || nodes > 8) throw new Error(`--nodes ${values.nodes}: expected 1 to 8`)
const database = values.database ?? (nodes > 1 ? 'postgres' : 'sqlite')
if (database !== 'sqlite' && database !== 'postgres')
  throw new Error(`--database ${database}: expected sqlite or postgres`)
if (nodes > 1 && database !== 'postgres')
  throw new Error(`--nodes ${nodes}: the nodes share one relational store, PostgreSQL (--database postgres)`)

// Every connection is a file descriptor in the cloud, in a worker and in Mosquitto; all inherit this
// process's limit, which Node cannot raise itself (the npm script raises it to the hard limit first).
const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim())
const needed = Math.max(...agents) + 512
if (Number.isFinite(limit) && limit < needed)
  throw new Error(
    `ulimit -n is ${limit}; ${Math.max(...agents)} agents need about ${needed} (ulimit -n ${needed})`,
  )

const run = await runFleet({
  agents,
  rate: number('rate', 0),
  seconds: number('seconds', 1),
  healthS: number('health-s', 1),
  nodes,
  database,
  influx: Boolean(values.influx),
  workers: Math.round(number('workers', 1)),
  settleSeconds: number('settle', 0),
  ceilingSeconds: number('ceiling-seconds', 1),
  progress: (line) => console.error(`[bench:fleet +${(performance.now() / 1000).toFixed(0)} s] ${line}`),
})
const text = formatFleetReport(run)
console.log(text)

const dir = join(root, 'bench-results')
mkdirSync(dir, { recursive: true })
const stem = join(dir, `fleet-${run.meta.date.replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify(run, null, 2)}\n`)
const png = fleetChart(run.results, run.meta.options.rate)
if (png) writeFileSync(`${stem}.png`, png)
console.log(`\nwritten: ${stem}.txt, .json${png ? ' and .png' : ' (no chart: no scans)'}`)
// Lost acks or dropped connections mean the figures are not valid.
if (run.failure || run.results.some((r) => errorsOf(r) > 0)) process.exitCode = 1
