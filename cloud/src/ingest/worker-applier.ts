// Applies batches in the SQLite writer thread (apply-worker.ts). One batch at a time, like the inline
// applier; a worker that dies fails the batches in hand (their devices resend them) and is replaced
// by a fresh one at the next batch.
import { Worker } from 'node:worker_threads'
import type { Logger } from '../lib/logger.js'
import type { WorkerInit, WorkerReply, WorkerRequest } from './apply-worker.js'
import type { Applied, IncomingEvent } from './batch-apply.js'
import type { BatchApplier } from './event-ingest.js'

const ENTRY = new URL('./apply-worker.mjs', import.meta.url)

export class WorkerApplier implements BatchApplier {
  /** The writer applies what it is sent in order, one batch at a time (apply-worker.ts). */
  readonly depth = 2
  private worker?: Worker
  private nextId = 0
  private readonly pending = new Map<
    number,
    { resolve: (r: Applied[]) => void; reject: (e: Error) => void }
  >()

  constructor(
    private readonly init: WorkerInit,
    private readonly log: Logger,
  ) {
    // Started now, not at the first batch: the thread loads and compiles its modules first (seconds on
    // a loaded machine), and the first events would wait for it.
    this.worker = this.spawn()
  }

  private spawn(): Worker {
    const w = new Worker(ENTRY, { workerData: this.init })
    w.on('message', (m: WorkerReply | 'closed') => {
      if (m === 'closed') return
      const p = this.pending.get(m.id)
      if (p === undefined) return
      this.pending.delete(m.id)
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }))
      else p.resolve(m.results as Applied[])
    })
    w.on('error', (err) => this.log.error({ err }, 'writer thread failed'))
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined
      for (const [, p] of this.pending) p.reject(new Error(`writer thread exited with ${code}`))
      this.pending.clear()
    })
    return w
  }

  apply(batch: IncomingEvent[], now: number, o: { resend?: boolean } = {}): Promise<Applied[]> {
    this.worker ??= this.spawn()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker!.postMessage({ id, batch, now, resend: o.resend === true } satisfies WorkerRequest)
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    if (w === undefined) return
    this.worker = undefined
    // Let the writer close its database (checkpointing the WAL) before the thread ends.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000)
      w.on('message', (m) => {
        if (m === 'closed') {
          clearTimeout(timer)
          void w.terminate().then(() => resolve())
        }
      })
      w.postMessage('close')
    })
  }
}
