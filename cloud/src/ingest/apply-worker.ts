// The SQLite writer thread. better-sqlite3 is synchronous: run on the main thread, every statement and
// every fsync of a commit would stop the broker for its duration. Here the writer works through batches
// back to back while the main thread keeps reading sockets, validating and sending acks; batches grow
// with the load, so one fsync serves more events the busier it gets.
import { parentPort, workerData } from 'node:worker_threads'
import { createEventHandlers, type HandlerSettings } from '../app/event-handlers.js'
import { openSqlite } from '../storage/db.js'
import { AFTER_FAILURE, applyBatch, type IncomingEvent } from './batch-apply.js'

export interface WorkerInit extends HandlerSettings {
  dataDir: string
}
export type WorkerRequest = { id: number; batch: IncomingEvent[]; now: number; resend: boolean }
export type WorkerReply = { id: number; results?: unknown[]; error?: { message: string; code?: string } }

const init = workerData as WorkerInit
const { db } = openSqlite({ dataDir: init.dataDir })
// This connection is ingest's alone, so list items can be kept between batches.
const handlers = createEventHandlers({ ...init, cacheItems: true })

let last: Promise<void> = Promise.resolve()
let failed = false
parentPort!.on('message', (req: WorkerRequest | 'close') => {
  if (req === 'close') {
    void last.then(() => db.destroy()).then(() => parentPort!.postMessage('closed'))
    return
  }
  // Batches can arrive while one is applied (WorkerApplier.depth): each starts when the one before has
  // committed, in the order sent. Once one fails, those sent behind it are refused until the main
  // thread resends: applied first, they would overtake the failed batch's events.
  last = last.then(async () => {
    if (failed && !req.resend) {
      const message = 'not applied: a batch sent before it failed'
      parentPort!.postMessage({ id: req.id, error: { message, code: AFTER_FAILURE } } satisfies WorkerReply)
      return
    }
    try {
      const results = await applyBatch(db, handlers, req.batch, req.now)
      failed = false
      parentPort!.postMessage({ id: req.id, results } satisfies WorkerReply)
    } catch (e) {
      failed = true
      const err = e as Error & { code?: string }
      parentPort!.postMessage({
        id: req.id,
        error: { message: err.message, code: err.code },
      } satisfies WorkerReply)
    }
  })
})
