// `npm run bench:apply`: the SQLite writer's path alone (ingest/batch-apply.ts: dedupe lookup, scans
// to list items, undo records, outcomes, one commit with fsync per batch), without MQTT, threads or
// the load generator, so a change to it is measured apart from the noise of the whole-system bench.
// Beside it, in the same run and on the same file settings, a baseline: the least any exactly-once
// store writes, one row per event (agent, event id, an outcome of the same size) under a primary key
// and one commit per batch. Per batch size, runs interleaved, the median reported. Writes the table
// (text and JSON) to bench-results/. Settings: BENCH_APPLY_BATCHES (default 1,50,250,500),
// BENCH_APPLY_EVENTS (events per run, default 20000; a tenth for batches under 10), BENCH_APPLY_RUNS (3).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createEventHandlers } from '../../cloud/src/app/event-handlers.js'
import { applyBatch, type IncomingEvent } from '../../cloud/src/ingest/batch-apply.js'
import { openSqlite } from '../../cloud/src/storage/db.js'
import { provision } from './provision.js'
import { benchCodes, DEVICE, ScanSource } from './workload.js'

const list = (name: string, def: string) => (process.env[name] || def).split(',').map(Number)
const batches = list('BENCH_APPLY_BATCHES', '1,50,250,500')
const [events] = list('BENCH_APPLY_EVENTS', '20000')
const [runs] = list('BENCH_APPLY_RUNS', '3')
if (batches.some((b) => !Number.isInteger(b) || b < 1 || b > 10_000))
  throw new Error('BENCH_APPLY_BATCHES: batch sizes 1..10000 like 1,50,250,500')
if (!(Number.isInteger(events) && events! >= 100) || !(Number.isInteger(runs) && runs! >= 1))
  throw new Error('BENCH_APPLY_EVENTS: a count >= 100; BENCH_APPLY_RUNS: a count >= 1')

const AGENTS = 10
const dir = mkdtempSync(join(tmpdir(), 'relais-bench-apply-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
const codes = benchCodes()
const creds = await provision(dir, AGENTS, codes)
const { db, sqlite } = openSqlite({ dataDir: dir })
// As the writer thread has them: its connection is ingest's alone, so items are kept between batches.
const handlers = createEventHandlers({ debounceMs: 3000, webhook: false, cacheItems: true })
// A day back: the source clock runs 20 ms a scan (see run.ts).
const sources = creds.map((c) => new ScanSource(c.agent, codes, Date.now() - 86_400_000, 'bench-apply'))

sqlite.exec(`CREATE TABLE IF NOT EXISTS baseline_events (
  agent_id TEXT NOT NULL, event_id TEXT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (agent_id, event_id))`)
const baselineInsert = sqlite.prepare('INSERT INTO baseline_events VALUES (?, ?, ?)')
const baselineBatch = sqlite.transaction((batch: IncomingEvent[]) => {
  for (const e of batch)
    baselineInsert.run(e.agent, e.message.id, JSON.stringify({ outcome: 'added', item: e.message.data }))
})

let turn = 0
function nextBatch(size: number): IncomingEvent[] {
  return Array.from({ length: size }, () => {
    const s = sources[turn++ % sources.length]!
    const message = JSON.parse(s.next().payload)
    return {
      agent: s.agent,
      device: DEVICE,
      name: 'scan',
      message: { id: message.id, ts: message.ts, data: message.data },
      receivedAt: Date.now(),
      householdId: null,
      siteId: null,
    }
  })
}

type Path = 'baseline' | 'relais'
const paths: Record<Path, (batch: IncomingEvent[]) => Promise<unknown>> = {
  baseline: async (batch) => baselineBatch(batch),
  relais: async (batch) => {
    for (const r of await applyBatch(db, handlers, batch, Date.now()))
      outcomes.set(r.ack.outcome, (outcomes.get(r.ack.outcome) ?? 0) + 1)
  },
}
/** Acks of the relais path: fresh scans of known and unknown codes, never a replay or a refusal. */
const outcomes = new Map<string, number>()
const EXPECTED = ['added', 'incremented', 'unknown_product']

/** µs per event, wall and CPU, over `n` events in batches of `size` (batches built before timing). */
async function measure(path: Path, size: number, n: number) {
  const work = Array.from({ length: Math.ceil(n / size) }, () => nextBatch(size))
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (const b of work) await paths[path](b)
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const count = work.length * size
  return { wallUs: (wall * 1000) / count, cpuUs: (cpu.user + cpu.system) / count }
}

interface Row {
  batch: number
  path: Path
  wallUs: number
  cpuUs: number
  eventsPerSec: number
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rows: Row[] = []
await measure('relais', 50, 1000) // warm-up: JIT, statement cache
for (const size of batches) {
  const n = size < 10 ? Math.ceil(events! / 10) : events!
  const got: Record<Path, Array<{ wallUs: number; cpuUs: number }>> = { baseline: [], relais: [] }
  for (let r = 0; r < runs!; r++)
    for (const path of ['baseline', 'relais'] as const) got[path].push(await measure(path, size, n))
  for (const path of ['baseline', 'relais'] as const) {
    const wallUs = median(got[path].map((x) => x.wallUs))
    rows.push({
      batch: size,
      path,
      wallUs,
      cpuUs: median(got[path].map((x) => x.cpuUs)),
      eventsPerSec: 1e6 / wallUs,
    })
  }
}
await db.destroy()

const num = (x: number, d = 1) => x.toFixed(d)
const lines = [
  `Relais writer path (applyBatch on SQLite, WAL, synchronous=FULL), ${new Date().toISOString()}: ` +
    `${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, load average ${num(loadavg()[0]!, 2)}`,
  `${AGENTS} agents, ${codes.length} codes (half in the catalogue); median of ${runs} interleaved runs per row.`,
  'Baseline: one row per event (agent, event id, outcome) under a primary key, one commit per batch.',
  '',
  'batch  path        µs/event wall  µs/event CPU  events/s  relais/baseline (wall)',
  ...rows.map((r) => {
    const base = rows.find((b) => b.batch === r.batch && b.path === 'baseline')!
    const ratio = r.path === 'relais' ? `${num(r.wallUs / base.wallUs, 1)}x` : ''
    return `${String(r.batch).padStart(5)}  ${r.path.padEnd(10)}  ${num(r.wallUs).padStart(13)}  ${num(r.cpuUs).padStart(12)}  ${num(r.eventsPerSec, 0).padStart(8)}  ${ratio}`
  }),
]
const unexpected = [...outcomes].filter(([o]) => !EXPECTED.includes(o))
lines.push(
  '',
  `acks: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}` +
    (unexpected.length > 0 ? ` -> UNEXPECTED: ${unexpected.map(([o]) => o).join(', ')}` : ''),
)
// Unexpected outcomes mean the path measured was not the one meant: the numbers are not valid.
if (unexpected.length > 0) process.exitCode = 1
const text = lines.join('\n')
console.log(text)
const out = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench-results')
mkdirSync(out, { recursive: true })
const stem = join(out, `apply-${new Date().toISOString().replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify({ batches, events, runs, rows }, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)
