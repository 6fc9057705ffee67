// `npm run bench`: the ingest path, Relais against a bare Aedes measured in the same run. Prints the
// report and writes it (text and JSON) to bench-results/. Settings: BENCH_SECONDS (measured seconds
// per phase, default 5), BENCH_CLIENTS (default 1,10,100), BENCH_RATE (fixed-rate phase, default 1000).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatReport, verdicts } from './report.js'
import { runBench } from './run.js'

const env = (name: string, def: string) => process.env[name] || def
const positive = (name: string, def: string): number => {
  const n = Number(env(name, def))
  if (!(n > 0)) throw new Error(`${name}=${process.env[name]}: expected a positive number`)
  return n
}

// Exit through process.exit so the servers' exit hooks kill them and remove their data dirs.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const clientCounts = env('BENCH_CLIENTS', '1,10,100').split(',').map(Number)
if (clientCounts.some((k) => !Number.isInteger(k) || k < 1 || k > 1000)) {
  throw new Error(`BENCH_CLIENTS=${process.env.BENCH_CLIENTS}: expected client counts like 1,10,100`)
}
const run = await runBench({
  clientCounts,
  seconds: positive('BENCH_SECONDS', '5'),
  warmupSeconds: 1,
  rate: positive('BENCH_RATE', '1000'),
  window: 64,
  maxOutstanding: 1000,
  progress: (line) => console.error(`[bench] ${line}`),
})
const text = formatReport(run)
console.log(text)

const dir = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench-results')
mkdirSync(dir, { recursive: true })
const stem = join(dir, `ingest-${run.meta.date.replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify({ ...run, verdicts: verdicts(run) }, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)
// Missed goals are the report's news, not a crash; lost or rejected acks mean the numbers are not valid.
if (verdicts(run).errors > 0) process.exitCode = 1
