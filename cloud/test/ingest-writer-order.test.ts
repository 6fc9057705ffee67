// The SQLite writer takes a second batch while it applies one (WorkerApplier.depth = 2). What must hold
// when a batch fails: nothing handed over behind it is applied before it, and once it is settled the
// later batch is applied after all, once. First the writer thread's side (real thread, file database),
// then EventIngest's, with an applier that behaves like it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEnvelope, topics } from '@relais/hardware'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addAgent } from '../src/domains/agents/agents.js'
import { createHousehold } from '../src/domains/households/households.js'
import { AFTER_FAILURE, type Applied, type IncomingEvent } from '../src/ingest/batch-apply.js'
import type { MessageBus } from '../src/ingest/bus.js'
import { type BatchApplier, EventIngest } from '../src/ingest/event-ingest.js'
import { WorkerApplier } from '../src/ingest/worker-applier.js'
import { openDatabase } from '../src/storage/db.js'

const log = pino({ level: 'silent' })
const NUTELLA = '3017620422003'

function scan(agent: string, code: unknown, seq: number): IncomingEvent {
  const message = makeEnvelope({
    agent,
    device: 'scanner-1',
    type: 'scan',
    session: 'order-test-session',
    seq,
    data: { code: code as string, symbology: 'ean13' },
  })
  return {
    agent,
    device: 'scanner-1',
    name: 'scan',
    message: { id: message.id, ts: message.ts, data: message.data },
    receivedAt: Date.now(),
    householdId: null,
    siteId: null,
  }
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'applied',
    (err: { code?: string; message: string }) => err.code ?? err.message,
  )

test('the writer refuses what was sent behind a failed batch until it is resent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relais-order-'))
  const db = await openDatabase({ dataDir: dir })
  const writer = new WorkerApplier({ dataDir: dir, debounceMs: 0, webhook: false }, log)
  try {
    await createHousehold(db, { id: 'home', name: 'Home' })
    await addAgent(db, { id: 'kitchen', householdId: 'home' })
    // A scan whose code is not a string throws in the scan domain (validation stops it at the broker;
    // here it stands for any batch the database or a domain fails).
    const broken = writer.apply([scan('kitchen', 42, 0)], Date.now())
    const behind = writer.apply([scan('kitchen', NUTELLA, 1)], Date.now())
    const [first, second] = await Promise.all([refusal(broken), refusal(behind)])
    assert.is.not(first, 'applied')
    assert.is.not(first, AFTER_FAILURE)
    assert.is(second, AFTER_FAILURE)
    assert.is((await db.selectFrom('items').selectAll().execute()).length, 0, 'nothing applied behind it')

    // Still refused without the resend mark; applied with it, and the writer takes batches again.
    assert.is(await refusal(writer.apply([scan('kitchen', NUTELLA, 2)], Date.now())), AFTER_FAILURE)
    const resent = await writer.apply([scan('kitchen', NUTELLA, 1)], Date.now(), { resend: true })
    assert.is(resent[0]!.ack.outcome, 'unknown_product')
    const next = await writer.apply([scan('kitchen', NUTELLA, 3)], Date.now())
    assert.is(next[0]!.ack.outcome, 'unknown_product')
    const [item] = await db.selectFrom('items').select(['quantity']).execute()
    assert.is(Number(item!.quantity), 2)
  } finally {
    await writer.close()
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
})

/**
 * Applies like the writer thread: in order, one at a time, refusing what follows a failure. Or, with
 * `dies`, like a writer thread that exits: every batch handed over before the failure fails too, and
 * a fresh thread applies the next ones.
 */
class OrderedApplier implements BatchApplier {
  readonly depth = 2
  readonly applied: string[] = []
  failures = 1
  private last: Promise<unknown> = Promise.resolve()
  private failed = false
  private generation = 0

  constructor(private readonly dies = false) {}

  apply(batch: IncomingEvent[], _now: number, o: { resend?: boolean } = {}): Promise<Applied[]> {
    const generation = this.generation
    const run = this.last.then(async (): Promise<Applied[]> => {
      await new Promise((r) => setTimeout(r, 5))
      if (this.dies && generation < this.generation) throw new Error('writer thread exited with 1')
      if (this.failed && !o.resend) throw Object.assign(new Error('refused'), { code: AFTER_FAILURE })
      if (this.failures > 0 && batch.some((e) => (e.message.data as { code: string }).code === 'fail')) {
        this.failures--
        if (this.dies) this.generation++
        else this.failed = true
        throw new Error('disk I/O error')
      }
      this.failed = false
      for (const e of batch) this.applied.push((e.message.data as { code: string }).code)
      return batch.map(() => ({ ack: { outcome: 'added' } }))
    })
    this.last = run.catch(() => {})
    return run
  }

  async close(): Promise<void> {}
}

async function ingestInOrder(applier: OrderedApplier): Promise<{ acks: number; ingest: EventIngest }> {
  let acks = 0
  const bus: MessageBus = {
    subscribe: async () => async () => {},
    publish: async () => {
      acks++
    },
  }
  const ingest = new EventIngest({ bus, db: {} as never, applier, log, batchMax: 3, dedupeRetentionDays: 30 })
  const send = (code: string, seq: number) => {
    const e = makeEnvelope({
      agent: 'kitchen',
      device: 'scanner-1',
      type: 'scan',
      session: 'order-test-session',
      seq,
      data: { code, symbology: 'ean13' },
    })
    ingest.receive(topics.event('kitchen', 'scanner-1', 'scan'), Buffer.from(JSON.stringify(e)))
  }
  for (let i = 0; i < 8; i++) send(CODES[i]!, i)
  // More arrive while the failed batch is retried: they must wait behind it and the one it held up.
  await new Promise((r) => setTimeout(r, 20))
  for (let i = 8; i < CODES.length; i++) send(CODES[i]!, i)
  await ingest.drain()
  return { acks, ingest }
}

const CODES = ['a', 'fail', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']

test('ingest resends a refused batch only after the failed one before it, keeping the order', async () => {
  const applier = new OrderedApplier()
  const { acks, ingest } = await ingestInOrder(applier)
  assert.equal(applier.applied, CODES, 'every event applied once, in the order received')
  assert.is(acks, CODES.length)
  assert.is(ingest.metrics.batchFailures, 1, 'the refusal is not a failure of its own')
})

test('when the writer dies with two batches in hand, both are retried in order before any new one', async () => {
  const applier = new OrderedApplier(true)
  const { acks, ingest } = await ingestInOrder(applier)
  assert.equal(applier.applied, CODES, 'every event applied once, in the order received')
  assert.is(acks, CODES.length)
  assert.is(ingest.metrics.batchFailures, 2)
})

test.run()
