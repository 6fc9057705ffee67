// `npm run bench:route`: how long the courier route planner takes for 50, 200 and 1,000 stops in a
// Paris-sized box, beside a baseline measured in the same run: nearest neighbour alone (validation,
// distance matrix and the NN tour, what the simplest planner would do). Prints a table and writes it
// (text and JSON) to bench-results/. Settings: BENCH_ROUTE_SIZES (default 50,200,1000),
// BENCH_ROUTE_RUNS (timed runs per row, default 5; the median is reported).
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  distanceMatrix,
  nearestNeighbour,
  pathProblem,
  planRoute,
  stopsOf,
  tourLength,
  validatePoints,
} from '../../cloud/src/domains/pickups/route/index.js'
import { seededRandom } from '../../cloud/src/domains/pickups/route/perturb.js'

const sizes = (process.env.BENCH_ROUTE_SIZES || '50,200,1000').split(',').map(Number)
const runs = Number(process.env.BENCH_ROUTE_RUNS || 5)
if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 5000) || !(Number.isInteger(runs) && runs >= 1)) {
  throw new Error('BENCH_ROUTE_SIZES: stop counts 1..5000 like 50,200,1000; BENCH_ROUTE_RUNS: a count >= 1')
}

// Paris inside the Périphérique, about 12 x 10 km; the depot near Châtelet.
const DEPOT = { id: 'depot', lat: 48.8589, lon: 2.347 }
function stopsIn(n: number) {
  const random = seededRandom(n)
  return Array.from({ length: n }, (_, k) => ({
    id: `s${k}`,
    lat: 48.816 + random() * 0.086,
    lon: 2.255 + random() * 0.16,
  }))
}

type Method = 'nearest neighbour' | 'local search' | 'planner'
interface Row {
  stops: number
  method: Method
  medianMs: number
  minMs: number
  lengthKm: number
}

function nnBaseline(stops: ReturnType<typeof stopsIn>): number {
  const points = validatePoints('haversine', DEPOT, stops)
  const matrix = distanceMatrix(points.coords, 'haversine')
  return tourLength(matrix, stopsOf(pathProblem(matrix), nearestNeighbour(pathProblem(matrix))))
}

const methods: Record<Method, (stops: ReturnType<typeof stopsIn>) => number> = {
  'nearest neighbour': nnBaseline,
  // 2-opt + Or-opt from the better construction, without kicks: what the kicks add is the difference.
  'local search': (stops) => planRoute({ metric: 'haversine', depot: DEPOT, stops, kicks: 0 }).length,
  planner: (stops) => planRoute({ metric: 'haversine', depot: DEPOT, stops }).length,
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rows: Row[] = []
for (const n of sizes) {
  const stops = stopsIn(n)
  const times: Record<Method, number[]> = { 'nearest neighbour': [], 'local search': [], planner: [] }
  const lengths = {} as Record<Method, number>
  // One untimed round first (JIT), then the methods interleaved so machine load hits all alike.
  for (let r = 0; r <= runs; r++) {
    for (const method of Object.keys(methods) as Method[]) {
      const started = performance.now()
      lengths[method] = methods[method](stops)
      if (r > 0) times[method].push(performance.now() - started)
    }
  }
  for (const method of Object.keys(methods) as Method[]) {
    rows.push({
      stops: n,
      method,
      medianMs: median(times[method]),
      minMs: Math.min(...times[method]),
      lengthKm: lengths[method] / 1000,
    })
  }
  console.error(`[bench] ${n} stops done`)
}

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  load: loadavg()[0]!,
  runs,
}
const text = report(rows)
console.log(text)
const dir = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench-results')
mkdirSync(dir, { recursive: true })
const stem = join(dir, `route-${meta.date.replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify({ meta, rows }, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)

function report(rows: Row[]): string {
  const head = ['stops', 'method', 'median ms', 'min ms', 'x NN time', 'length km', 'vs NN length']
  const body = rows.map((r) => {
    const nn = rows.find((b) => b.stops === r.stops && b.method === 'nearest neighbour')!
    return [
      String(r.stops),
      r.method,
      r.medianMs.toFixed(1),
      r.minMs.toFixed(1),
      `${(r.medianMs / nn.medianMs).toFixed(1)}x`,
      r.lengthKm.toFixed(2),
      r === nn ? '-' : `${(((r.lengthKm - nn.lengthKm) / nn.lengthKm) * 100).toFixed(1)} %`,
    ]
  })
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)))
  const line = (cells: string[]) =>
    cells.map((x, c) => (c < 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ')
  return [
    `Relais route planner bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, load average ${meta.load.toFixed(2)}`,
    `Random stops in Paris (seeded), closed rounds from one depot, haversine; median of ${runs} runs after one warm-up.`,
    `Baseline: nearest neighbour alone (validation, distance matrix, NN tour), measured in the same run.`,
    'local search: both constructions, then 2-opt and Or-opt; planner (the default): that, then min(2000, 100 n) double-bridge kicks.',
    '',
    line(head),
    ...body.map(line),
  ].join('\n')
}
