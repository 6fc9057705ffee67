// The beacon bench's agent process: the real edge agent with a simulated reader, connected to the bench's
// broker, its allow-list holding `BENCH_ALLOWED` beacons, hearing each of them and `BENCH_OTHERS` other
// beacons once a second (advertisements pushed every 100 ms, as a busy shop door). Prints `tracking`
// once every allowed beacon is present, then keeps hearing until SIGTERM. With BENCH_NO_READER=1 it is
// the same agent without a reader (the reader's own cost is the difference); it prints `tracking` once
// started.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, parseAgentConfig, SimulatedAdvertisementSource } from '../../edge/src/index.js'
import { createLogger } from '../../edge/src/lib/logger.js'
import { population } from './beacon-population.js'

const url = process.env.BENCH_URL ?? ''
const allowedN = Number(process.env.BENCH_ALLOWED ?? 200)
const othersN = Number(process.env.BENCH_OTHERS ?? 2000)
const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'relais-bench-beacon-'))
const withReader = process.env.BENCH_NO_READER !== '1'
const log = createLogger('warn')
let source: SimulatedAdvertisementSource | undefined
const agent = new Agent(
  parseAgentConfig({
    agent: { id: 'bench-beacon' },
    broker: { url, secret: 'bench' },
    dataDir: dir,
    beacons: withReader ? [{ id: 'ble-0', source: 'simulated', telemetryS: 10 }] : [],
  }),
  log,
  {
    advertisementSource: (rc, l) => {
      source = new SimulatedAdvertisementSource(rc.id, l)
      return source
    },
  },
)
await agent.start()
if (!withReader) {
  process.stdout.write(`${JSON.stringify({ msg: 'tracking', present: 0 })}\n`)
  process.once('SIGTERM', () => void agent.stop().then(() => process.exit(0)))
  await new Promise(() => {})
}
const beacons = population(allowedN, othersN)
const reader = agent.beacons[0]!
reader.applyConfig({ zone: 'bench', allow: beacons.filter((b) => b.allowed).map((b) => b.key!) }, 1)

// Each beacon once a second, spread over ten 100 ms slices.
let slice = 0
let said = false
const timer = setInterval(() => {
  for (let i = slice; i < beacons.length; i += 10) {
    const b = beacons[i]!
    source!.push({ address: b.address, rssi: b.rssi + Math.round((Math.random() - 0.5) * 8), data: b.data })
  }
  slice = (slice + 1) % 10
  if (!said && reader.tracker.present === allowedN) {
    said = true
    process.stdout.write(`${JSON.stringify({ msg: 'tracking', present: reader.tracker.present })}\n`)
  }
}, 100)

const stop = async () => {
  clearInterval(timer)
  await agent.stop()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
