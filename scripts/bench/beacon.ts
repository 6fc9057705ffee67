// `npm run bench:beacon`: the beacon reader's cost, each figure beside a baseline measured in the same run.
// 1. Throughput on one core: advertisements through the reader's pipeline (decode, identity key,
//    allow-list filter, distinct count of the others, Kalman smoothing and hysteresis: the feature's own
//    handle()) beside bare frame parsing (decodeAdvertisement alone) of the same advertisements, a crowd
//    of BENCH_BEACON_ALLOWED (200) allowed and BENCH_BEACON_OTHERS (2,000) other beacons.
// 2. Memory: the RSS of a process running the real agent with a simulated reader tracking the 200
//    (hearing all 2,200 once a second) beside a bare Node process and a Node process holding one MQTT.js
//    connection, all through tsx, sampled over BENCH_BEACON_IDLE s (10) after BENCH_BEACON_SETTLE s (15).
// Prints the report and writes it (text and JSON) to bench-results/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeAdvertisement, filters, makeEnvelope, topics } from '@relais/hardware'
import { Aedes } from 'aedes'
import pino from 'pino'
import { SimulatedAdvertisementSource } from '../../edge/src/drivers/beacon/simulated.js'
import { BeaconReaderFeature } from '../../edge/src/features/beacon/reader.js'
import type { MqttLink } from '../../edge/src/link/mqtt-link.js'
import { Session } from '../../edge/src/link/session.js'
import { Outbox } from '../../edge/src/outbox/outbox.js'
import type { OutboxSender } from '../../edge/src/outbox/sender.js'
import { type Footprint, Meter } from './agent-meter.js'
import { BenchProcess, root, tempDir } from './agent-procs.js'
import { population, sightings } from './beacon-population.js'
import { benchMeta } from './meta.js'

const num = (name: string, def: number) => {
  const v = Number(process.env[name] || def)
  if (!(v > 0)) throw new Error(`${name}=${process.env[name]}: expected a positive number`)
  return v
}
const allowedN = num('BENCH_BEACON_ALLOWED', 200)
const othersN = num('BENCH_BEACON_OTHERS', 2000)
const adverts = num('BENCH_BEACON_ADVERTS', 300_000)
const runs = num('BENCH_BEACON_RUNS', 5)
const settleS = num('BENCH_BEACON_SETTLE', 15)
const idleS = num('BENCH_BEACON_IDLE', 10)
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))
const loadBefore = loadavg()[0]!
const progress = (l: string) =>
  console.error(`[bench:beacon +${(performance.now() / 1000).toFixed(0)} s] ${l}`)

// ---- 1. throughput -------------------------------------------------------------------------------
const beacons = population(allowedN, othersN)
const stream = sightings(beacons, adverts)
const noop = { on() {}, off() {}, pump() {}, connected: false, publish: async () => false }
const outbox = new Outbox({ dataDir: ':memory:', maxEntries: 100_000 })
const reader = new BeaconReaderFeature({
  agent: 'bench',
  source: new SimulatedAdvertisementSource('ble-0', pino({ level: 'silent' })),
  outbox,
  sender: noop as unknown as OutboxSender,
  link: noop as unknown as MqttLink,
  session: new Session(),
  log: pino({ level: 'silent' }),
  dataDir: ':memory:',
  telemetryS: 3600,
  tracker: {
    enterRssi: -75,
    leaveRssi: -85,
    leaveTimeoutMs: 30_000,
    minEnterSamples: 3,
    minEnterMs: 0,
    minLeaveSamples: 3,
    kalman: { processNoise: 1, measurementNoise: 9 },
    calibration: { pathLoss: 2.5, offsetDb: 0 },
  },
})
reader.applyConfig({ zone: 'bench', allow: beacons.filter((b) => b.allowed).map((b) => b.key!) }, 1)

let t0 = 1_700_000_000_000
function baseline(): number {
  let ok = 0
  for (let i = 0; i < adverts; i++) if (decodeAdvertisement(beacons[stream.index[i]!]!.data).ok) ok++
  return ok
}
function pipeline(): number {
  // Advertisement objects are made here as a source makes them, one per advertisement heard.
  for (let i = 0; i < adverts; i++) {
    const b = beacons[stream.index[i]!]!
    reader.handle({ address: b.address, rssi: stream.rssi[i]!, data: b.data, at: t0 + i })
  }
  t0 += adverts
  reader.takeTelemetry()
  return reader.tracker.present
}
// One untimed round of each first (JIT, and the 200 enters written to the outbox), then interleaved.
baseline()
pipeline()
const rates = { baseline: [] as number[], pipeline: [] as number[] }
for (let r = 0; r < runs; r++) {
  for (const [name, fn] of [
    ['baseline', baseline],
    ['pipeline', pipeline],
  ] as const) {
    const s = performance.now()
    fn()
    rates[name].push(adverts / ((performance.now() - s) / 1000))
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const throughput = {
  adverts,
  runs,
  baselinePerS: median(rates.baseline),
  pipelinePerS: median(rates.pipeline),
  present: reader.tracker.present,
  events: reader.totals.events,
}
outbox.close()
progress(`throughput: ${Math.round(throughput.pipelinePerS)} adverts/s through the reader`)

// ---- 2. memory -----------------------------------------------------------------------------------
const broker = await Aedes.createBroker()
// The cloud's part: every presence event acked as recorded, so the outbox stays empty as it would.
let ackSeq = 0
broker.subscribe(
  filters.allEvents(),
  (packet, cb) => {
    const e = JSON.parse(String(packet.payload)) as { id: string; agent: string; device: string }
    const ack = makeEnvelope({
      agent: e.agent,
      device: e.device,
      type: 'ack',
      session: 'bench',
      seq: ackSeq++,
      corr: e.id,
      data: { outcome: 'recorded' },
    })
    broker.publish(
      {
        cmd: 'publish',
        topic: topics.cmd(e.agent, 'ack', e.device),
        payload: Buffer.from(JSON.stringify(ack)),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    )
    cb()
  },
  () => {},
)
const server = createServer((s) => broker.handle(s))
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`
const dir = tempDir(mkdtempSync(join(tmpdir(), 'relais-bench-beacon-')))
const tsx = ['--import', 'tsx']
const agentProc = BenchProcess.start(
  'agent with a beacon reader',
  [...tsx, join(root, 'scripts/bench/beacon-agent-proc.ts')],
  {
    env: {
      BENCH_URL: url,
      BENCH_DIR: dir.dir,
      BENCH_ALLOWED: String(allowedN),
      BENCH_OTHERS: String(othersN),
    },
  },
)
const agentIdle = BenchProcess.start(
  'agent without a reader',
  [...tsx, join(root, 'scripts/bench/beacon-agent-proc.ts')],
  {
    env: { BENCH_URL: url, BENCH_DIR: join(dir.dir, 'idle'), BENCH_NO_READER: '1' },
  },
)
const bareNode = BenchProcess.start('bare node', [
  ...tsx,
  '-e',
  "process.stdout.write('ready\\n'); setInterval(() => {}, 1 << 30)",
])
const bareMqtt = BenchProcess.start(
  'bare MQTT.js client',
  [...tsx, join(root, 'scripts/bench/bare-mqtt-client.ts')],
  {
    env: {
      BENCH_URL: url,
      BENCH_AGENT: 'bench-bare',
      BENCH_SECRET: 'x',
      BENCH_TOPIC: topics.config('bench-bare'),
    },
  },
)
let memory: { agent: Footprint; agentIdle: Footprint; bareNode: Footprint; bareMqtt: Footprint }
try {
  await agentProc.waitLine('tracking every allowed beacon', (l) => l.msg === 'tracking', 60_000)
  await agentIdle.waitLine('started', (l) => l.msg === 'tracking')
  await bareNode.waitLine('ready', (l) => l.msg === 'ready')
  await bareMqtt.waitLine('connected', (l) => l.msg === 'connected')
  progress(`memory: agent tracking ${allowedN}; settling ${settleS} s, then sampling ${idleS} s`)
  await new Promise((r) => setTimeout(r, settleS * 1000))
  const meters = [agentProc, agentIdle, bareNode, bareMqtt].map((p) => new Meter(p.pid))
  await new Promise((r) => setTimeout(r, idleS * 1000))
  const [a, i, n, m] = meters.map((x) => x.stop()) as [Footprint, Footprint, Footprint, Footprint]
  memory = { agent: a, agentIdle: i, bareNode: n, bareMqtt: m }
} finally {
  await Promise.all([agentProc.stop(), agentIdle.stop(), bareNode.stop(), bareMqtt.stop()])
  await new Promise<void>((r) => broker.close(() => r()))
  server.close()
}

// ---- report ----------------------------------------------------------------------------------------
const meta = benchMeta(loadBefore, { allowedN, othersN, adverts, runs, settleS, idleS })
const f1 = (x: number) => x.toFixed(1)
const text = [
  `Relais beacon reader bench, ${meta.date}: ${meta.cores} x ${meta.cpu}, Node ${meta.node}, load average ${meta.load.map((l) => l.toFixed(2)).join(' -> ')}`,
  `Crowd: ${allowedN} allowed and ${othersN} other beacons (iBeacon, Eddystone-UID, AltBeacon, some EIDs), seeded.`,
  '',
  `Throughput, one core, ${adverts} advertisements per run, median of ${runs} (interleaved, after a warm-up):`,
  `  bare frame parsing (decodeAdvertisement)          ${Math.round(throughput.baselinePerS).toLocaleString('en')} adverts/s`,
  `  reader pipeline (decode, allow-list, smoothing)   ${Math.round(throughput.pipelinePerS).toLocaleString('en')} adverts/s`,
  `  ratio pipeline / parsing                          ${(throughput.pipelinePerS / throughput.baselinePerS).toFixed(2)}`,
  `  (${throughput.present} present at the end, ${throughput.events} events in all: the 200 enters of the warm-up)`,
  '',
  `Memory over ${idleS} s after ${settleS} s, all through tsx (mean RSS, own anonymous memory, CPU):`,
  `  agent tracking ${allowedN} (hearing ${allowedN + othersN}/s)   ${f1(memory.agent.rssMB)} MB  anon ${f1(memory.agent.anonMB)} MB  cpu ${f1(memory.agent.cpuPercent)} %`,
  `  the same agent without a reader           ${f1(memory.agentIdle.rssMB)} MB  anon ${f1(memory.agentIdle.anonMB)} MB  cpu ${f1(memory.agentIdle.cpuPercent)} %`,
  `  bare node                                  ${f1(memory.bareNode.rssMB)} MB  anon ${f1(memory.bareNode.anonMB)} MB  cpu ${f1(memory.bareNode.cpuPercent)} %`,
  `  bare node + one MQTT.js connection         ${f1(memory.bareMqtt.rssMB)} MB  anon ${f1(memory.bareMqtt.anonMB)} MB  cpu ${f1(memory.bareMqtt.cpuPercent)} %`,
  `  ratio agent / agent without a reader      ${(memory.agent.rssMB / memory.agentIdle.rssMB).toFixed(2)} (anon ${(memory.agent.anonMB / memory.agentIdle.anonMB).toFixed(2)})`,
  `  ratio agent / bare node                    ${(memory.agent.rssMB / memory.bareNode.rssMB).toFixed(2)} (anon ${(memory.agent.anonMB / memory.bareNode.anonMB).toFixed(2)})`,
  `  ratio agent / node + MQTT.js               ${(memory.agent.rssMB / memory.bareMqtt.rssMB).toFixed(2)} (anon ${(memory.agent.anonMB / memory.bareMqtt.anonMB).toFixed(2)})`,
].join('\n')
console.log(text)
const out = join(root, 'bench-results')
mkdirSync(out, { recursive: true })
const stem = join(out, `beacon-${meta.date.replace(/[:.]/g, '-')}`)
writeFileSync(`${stem}.txt`, `${text}\n`)
writeFileSync(`${stem}.json`, `${JSON.stringify({ meta, throughput, memory }, null, 2)}\n`)
console.log(`\nwritten: ${stem}.txt and .json`)
