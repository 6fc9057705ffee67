// `npm run bench:agent`: the edge agent beside its baselines, measured in the same run: idle RSS and CPU
// against a bare Node process with one MQTT.js connection, the outbox's write rate against the disk's
// write+fsync rate, the drain of a backlog after an outage and scan-to-ack latency against a bare
// MQTT.js client through the same cloud. Prints the report and writes it (text and JSON) to
// bench-results/. Settings: BENCH_AGENT_SETTLE (s, default 25), BENCH_AGENT_IDLE (s, 20),
// BENCH_AGENT_OUTBOX (s, 5), BENCH_AGENT_DRAIN (queued scans, 10000), BENCH_AGENT_INFLIGHT (windows,
// 20,200), BENCH_AGENT_RATE (scans/s, 20), BENCH_AGENT_LATENCY (s, 10), BENCH_AGENT_FORMS (bundle,tsx).
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './agent-procs.js'
import { agentVerdicts, formatAgentReport } from './agent-report.js'
import { runAgentBench } from './agent-run.js'
import type { Form } from './agent-setup.js'

const env = (name: string, def: string) => process.env[name] || def
const positive = (name: string, def: string): number => {
  const n = Number(env(name, def))
  if (!(n > 0)) throw new Error(`${name}=${process.env[name]}: expected a positive number`)
  return n
}
const list = (name: string, def: string) => env(name, def).split(',').filter(Boolean)

// Exit through process.exit so the exit hooks kill every child process and remove the temp dirs.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const forms = list('BENCH_AGENT_FORMS', 'bundle,tsx')
if (forms.length === 0 || forms.some((f) => f !== 'bundle' && f !== 'tsx'))
  throw new Error(`BENCH_AGENT_FORMS=${process.env.BENCH_AGENT_FORMS}: expected bundle, tsx or both`)
const drainWindows = list('BENCH_AGENT_INFLIGHT', '20,200').map(Number)
if (drainWindows.some((w) => !Number.isInteger(w) || w < 1 || w > 1000))
  throw new Error(`BENCH_AGENT_INFLIGHT=${process.env.BENCH_AGENT_INFLIGHT}: expected windows 1..1000`)
const latencyRate = positive('BENCH_AGENT_RATE', '20')
if (latencyRate > 100) throw new Error('BENCH_AGENT_RATE: at most 100 (the simulated scanner ticks >= 10 ms)')

const run = await runAgentBench({
  forms: forms as Form[],
  // 25 s: V8 hands back some 7 MB of start-up heap 13 to 24 s after start, in the agent and in the
  // baseline, each at its own moment; a window that catches one before and one after misreads the ratio.
  settleSeconds: positive('BENCH_AGENT_SETTLE', '25'),
  idleSeconds: positive('BENCH_AGENT_IDLE', '20'),
  outboxSeconds: positive('BENCH_AGENT_OUTBOX', '5'),
  drainEvents: Math.round(positive('BENCH_AGENT_DRAIN', '10000')),
  drainWindows,
  latencyRate,
  latencySeconds: positive('BENCH_AGENT_LATENCY', '10'),
  progress: (line) => console.error(`[bench:agent +${(performance.now() / 1000).toFixed(0)} s] ${line}`),
})
const text = formatAgentReport(run)
console.log(text)

const dir = join(root, 'bench-results')
mkdirSync(dir, { recursive: true })
const stem = join(dir, `agent-${run.meta.date.replace(/[:.]/g, '-')}`)
const verdicts = agentVerdicts(run)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify({ ...run, verdicts }, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)
// A missed goal is the report's news, not a crash; missing scans mean the numbers are not valid.
if (verdicts.errors.length > 0) process.exitCode = 1
