// Phase 2, the outbox write rate: Outbox.add (SQLite, WAL, synchronous=FULL: one transaction and one
// fsync of the WAL per event) by a single writer for a few seconds, then its baseline, the disk's own
// fsync ceiling: as many write+fsync appends of the same payload size to a plain file. Runs in a child
// process of its own (this file is also its entry) so its CPU and RSS are read apart from the bench.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Outbox } from '../../edge/src/outbox/outbox.js'
import { type Footprint, Meter } from './agent-meter.js'
import { BenchProcess } from './agent-procs.js'
import { benchCodes, ScanSource } from './workload.js'

export interface WriteRate extends Footprint {
  events: number
  perSecond: number
}

export interface OutboxResult {
  payloadBytes: number
  outbox: WriteRate
  fsync: WriteRate
}

export async function measureOutbox(dir: string, seconds: number): Promise<OutboxResult> {
  const self = fileURLToPath(import.meta.url)
  const child = BenchProcess.start('outbox writer', ['--import', 'tsx', self], {
    env: { BENCH_DIR: dir, BENCH_SECONDS: String(seconds) },
  })
  try {
    const line = await child.waitLine('its result', (l) => l.msg === 'outbox result', 60_000 + seconds * 3000)
    return line.result as OutboxResult
  } finally {
    await child.stop()
  }
}

function rate(meter: Meter, events: number): WriteRate {
  const f = meter.stop()
  return { ...f, events, perSecond: events / f.seconds }
}

function run(dir: string, seconds: number): OutboxResult {
  mkdirSync(dir, { recursive: true })
  // A real scan envelope's size; the rows differ only by id (an id seen twice would not be written).
  const source = new ScanSource('bench-0', benchCodes(), Date.now(), 'bench-outbox')
  const { payload } = source.next()
  const topic = source.topic
  const outbox = new Outbox({ dataDir: join(dir, 'outbox'), maxEntries: 10_000_000 })
  let events = 0
  let meter = new Meter(process.pid)
  const until = performance.now() + seconds * 1000
  while (performance.now() < until) outbox.add(`bench-${events++}`, topic, payload)
  const outboxRate = rate(meter, events)
  outbox.close()

  const fd = openSync(join(dir, 'appends.log'), 'a')
  meter = new Meter(process.pid)
  for (let i = 0; i < events; i++) {
    writeSync(fd, payload)
    fsyncSync(fd)
  }
  const fsyncRate = rate(meter, events)
  closeSync(fd)
  return { payloadBytes: Buffer.byteLength(payload), outbox: outboxRate, fsync: fsyncRate }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = run(process.env.BENCH_DIR!, Number(process.env.BENCH_SECONDS))
  process.stdout.write(`${JSON.stringify({ msg: 'outbox result', result })}\n`)
}
