// `npm run bench:pickup`: press-to-ack (and press-to-scheduled) latency of simulated pickup buttons against
// an in-process cloud, beside a bare MQTT round trip on the same broker, and the planning time of the live
// round; prints a table and writes it (text and JSON) to bench-results/. Settings: BENCH_PICKUP_BUTTONS
// (default 60), BENCH_PICKUP_SITES (30), BENCH_PICKUP_PRESSES (per button, 10), BENCH_PICKUP_RATE
// (presses/s over all buttons, 20), BENCH_PICKUP_ROUTE_RUNS (20).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatPickupReport } from './pickup-report.js'
import { runPickupBench } from './pickup-run.js'

const setting = (name: string, fallback: number, max: number) => {
  const v = Number(process.env[name] || fallback)
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer from 1 to ${max}`)
  return v
}
const options = {
  buttons: setting('BENCH_PICKUP_BUTTONS', 60, 2000),
  sites: setting('BENCH_PICKUP_SITES', 30, 1000),
  pressesPerButton: setting('BENCH_PICKUP_PRESSES', 10, 1000),
  rate: setting('BENCH_PICKUP_RATE', 20, 5000),
  routeRuns: setting('BENCH_PICKUP_ROUTE_RUNS', 20, 1000),
}
if (options.sites > options.buttons) throw new Error('BENCH_PICKUP_SITES: at most one site per button')

const run = await runPickupBench(options, (line) => console.error(`[bench] ${line}`))
const text = formatPickupReport(run)
console.log(text)
const dir = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench-results')
mkdirSync(dir, { recursive: true })
const stem = join(dir, `pickup-${run.meta.date.replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify(run, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)
