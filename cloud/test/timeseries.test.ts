// The TimeSeries buffer and flush loop against fake sinks: failures, overflow, a hung sink, refusals, stop.
// No timing assertions: every wait is for an observable state, with a generous ceiling.
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Point, type SeriesSink, SinkRejectedError, TimeSeries } from '../src/timeseries/index.js'

const t = suite('time series buffer and flush loop')

const pt = (seq: number): Point => ({
  measurement: 'scan',
  tags: { device: 'scanner-1' },
  fields: { seq, latency_ms: 1.5 },
  ts: 1_700_000_000_000 + seq,
  ints: ['seq'],
})

/** A sink that stores what it is given, after `failures` failed writes; `gate` holds writes until opened. */
class FakeSink implements SeriesSink {
  readonly name = 'fake'
  stored: Point[] = []
  calls = 0
  pending = 0
  gate: Promise<void> | undefined
  constructor(private failures: Array<() => Promise<void>> = []) {}
  async start() {}
  write(points: readonly Point[]): Promise<void> {
    this.calls++
    const fail = this.failures.shift()
    if (fail) return fail()
    this.pending++
    return (this.gate ?? Promise.resolve()).then(() => {
      this.pending--
      this.stored.push(...points)
    })
  }
  async query() {
    return []
  }
  stop() {}
}

function capture() {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) })
  return { log, lines: (msg: string) => lines.filter((l) => l.msg === msg) }
}

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

const seqs = (points: Point[]) => points.map((p) => p.fields.seq)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)
const fast = { flushIntervalMs: 1, backoff: { initialMs: 1, maxMs: 5 } }

t('keeps points through sink failures of any kind and delivers each once, in order', async () => {
  const sink = new FakeSink([
    () => Promise.reject(new Error('connection refused')),
    () => Promise.reject('a string'),
    () => Promise.reject(undefined),
    () => {
      throw new TypeError('thrown, not rejected')
    },
    () => Promise.reject(new Error('timeout')),
  ])
  const { log, lines } = capture()
  const ts = new TimeSeries({ sink, log, bufferMax: 10_000, batchMax: 100, ...fast })
  await ts.start()
  for (let chunk = 0; chunk < 10; chunk++) {
    for (let i = 0; i < 100; i++) assert.is(ts.record(pt(chunk * 100 + i)), undefined)
    await new Promise((r) => setImmediate(r))
  }
  await until('all written', () => ts.stats().written === 1000)
  assert.equal(seqs(sink.stored), range(0, 1000))
  const s = ts.stats()
  assert.equal([s.buffered, s.dropped, s.failedWrites], [0, 0, 5])
  const failures = lines('time-series write failed; points kept for retry')
  assert.is(failures.length, 5)
  assert.ok(failures.every((l) => typeof l.buffered === 'number' && (l.buffered as number) > 0))
  assert.is(lines('time-series sink recovered').length, 1)
  await ts.stop()
})

t('drops exactly the oldest points when the buffer overflows, and counts them', async () => {
  const sink = new FakeSink()
  const ts = new TimeSeries({ sink, log: pino({ level: 'silent' }), bufferMax: 100, batchMax: 10, ...fast })
  for (let i = 0; i < 130; i++) ts.record(pt(i)) // before start: kept, and bounded all the same
  assert.equal([ts.stats().buffered, ts.stats().dropped], [100, 30])
  await ts.start()
  await until('all written', () => ts.stats().written === 100)
  assert.equal(seqs(sink.stored), range(30, 130))
  assert.is(ts.stats().dropped, 30)
  await ts.stop()
})

t('while a batch is being written, overflow drops the oldest waiting points', async () => {
  const sink = new FakeSink()
  let open = () => {}
  sink.gate = new Promise<void>((r) => {
    open = r
  })
  const ts = new TimeSeries({ sink, log: pino({ level: 'silent' }), bufferMax: 10, batchMax: 4, ...fast })
  await ts.start()
  for (let i = 0; i < 4; i++) ts.record(pt(i))
  await until('a write in flight', () => sink.pending === 1)
  for (let i = 4; i < 24; i++) ts.record(pt(i))
  assert.equal([ts.stats().buffered, ts.stats().dropped], [10, 14])
  open()
  await until('all written', () => ts.stats().written === 10)
  assert.equal(seqs(sink.stored), [0, 1, 2, 3, ...range(18, 24)])
  await ts.stop()
})

t('a sink that never answers blocks nothing: the buffer fills to its bound and stop() returns', async () => {
  const sink = new FakeSink()
  sink.gate = new Promise<void>(() => {})
  const { log, lines } = capture()
  const ts = new TimeSeries({ sink, log, bufferMax: 50, batchMax: 10, ...fast, stopDeadlineMs: 50 })
  await ts.start()
  for (let i = 0; i < 20; i++) ts.record(pt(i))
  await until('a write in flight', () => sink.pending === 1)
  for (let i = 20; i < 200; i++) assert.is(ts.record(pt(i)), undefined)
  assert.equal([ts.stats().buffered, ts.stats().dropped], [50, 150])
  await ts.stop()
  assert.equal([ts.stats().buffered, ts.stats().dropped, ts.stats().written], [0, 200, 0])
  assert.is(lines('time series stopped with points unwritten: dropped')[0]?.left, 50)
})

t('invalid points are counted as rejected, never thrown, and the rest flows', async () => {
  const sink = new FakeSink()
  const ts = new TimeSeries({ sink, log: pino({ level: 'silent' }), bufferMax: 100, batchMax: 10, ...fast })
  await ts.start()
  const bad = [
    null,
    { ...pt(0), fields: {} },
    { ...pt(0), fields: { x: Number.NaN } },
    { ...pt(0), ts: 1.5 },
    { ...pt(0), tags: { device: '' } },
    { ...pt(0), fields: { seq: 1.5 } }, // listed in ints
    {
      get measurement(): string {
        throw new Error('getter throws')
      },
    },
  ]
  for (const p of bad) ts.record(p as unknown as Point)
  ts.record(pt(1))
  await until('the good point written', () => ts.stats().written === 1)
  assert.equal([ts.stats().rejected, ts.stats().dropped], [bad.length, bad.length])
  await ts.stop()
})

t('a batch the store refuses for good is dropped and counted, and the loop moves on', async () => {
  const sink = new FakeSink([() => Promise.reject(new SinkRejectedError('field type conflict', 1))])
  const ts = new TimeSeries({ sink, log: pino({ level: 'silent' }), bufferMax: 100, batchMax: 10, ...fast })
  for (let i = 0; i < 3; i++) ts.record(pt(i))
  await ts.start()
  await until('the refused batch handled', () => ts.stats().failedWrites === 1)
  for (let i = 3; i < 6; i++) ts.record(pt(i))
  await until('the next batch written', () => ts.stats().written === 5)
  assert.equal(seqs(sink.stored), [3, 4, 5])
  assert.equal([ts.stats().dropped, ts.stats().rejected], [1, 1])
  await ts.stop()
})

t('stop() writes what is left before it returns, and later points count as dropped', async () => {
  const sink = new FakeSink()
  const ts = new TimeSeries({
    sink,
    log: pino({ level: 'silent' }),
    bufferMax: 100,
    batchMax: 4,
    flushIntervalMs: 60_000,
  })
  await ts.start()
  for (let i = 0; i < 10; i++) ts.record(pt(i))
  await ts.stop()
  assert.equal(seqs(sink.stored), range(0, 10))
  ts.record(pt(10))
  assert.equal([ts.stats().written, ts.stats().dropped, ts.stats().buffered], [10, 1, 0])
})

t.run()
