// The SQLite writer thread. better-sqlite3 is synchronous: run on the main thread, every statement and
// every fsync of a commit would stop the broker for its duration. Here the writer works through batches
// back to back while the main thread keeps reading sockets, validating and sending acks; batches grow
// with the load, so one fsync serves more events the busier it gets.
import { parentPort, workerData } from 'node:worker_threads'
import { createEventHandlers, type HandlerSettings } from '../app/event-handlers.js'
import { openSqlite } from '../storage/db.js'
import { applyBatch, type IncomingEvent } from './batch-apply.js'

export interface WorkerInit extends HandlerSettings {
  dataDir: string
}
export type WorkerRequest = { id: number; batch: IncomingEvent[]; now: number }
export type WorkerReply = { id: number; results?: unknown[]; error?: { message: string; code?: string } }

const init = workerData as WorkerInit
const { db } = openSqlite({ dataDir: init.dataDir })
const handlers = createEventHandlers(init)

parentPort!.on('message', (req: WorkerRequest | 'close') => {
  if (req === 'close') {
    void db.destroy().then(() => parentPort!.postMessage('closed'))
    return
  }
  applyBatch(db, handlers, req.batch, req.now).then(
    (results) => parentPort!.postMessage({ id: req.id, results } satisfies WorkerReply),
    (err: Error & { code?: string }) =>
      parentPort!.postMessage({
        id: req.id,
        error: { message: err.message, code: err.code },
      } satisfies WorkerReply),
  )
})
