// The inline applier: batches applied on the calling thread through Kysely. Used with PostgreSQL (its
// driver is asynchronous, so waiting on the database never blocks the broker) and in tests.
import type { Kysely } from 'kysely'
import type { Database } from '../storage/schema.js'
import { type Applied, applyBatch, type EventHandler, type IncomingEvent } from './batch-apply.js'
import type { BatchApplier } from './event-ingest.js'

// PostgreSQL errors that mean "another transaction got in the way", not "this batch is wrong": a
// deadlock (40P01), a serialization failure (40001), and a unique violation (23505) from two appliers
// creating the same domain row at once (an item, a pickup request). The whole batch rolled back, so
// running it again is safe, and the second run sees the other's committed rows.
const RETRYABLE = new Set(['40P01', '40001', '23505'])
const ATTEMPTS = 3

export class InlineApplier implements BatchApplier {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly handlers: Readonly<Record<string, EventHandler>>,
  ) {}

  async apply(batch: IncomingEvent[], now: number): Promise<Applied[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await applyBatch(this.db, this.handlers, batch, now)
      } catch (err) {
        const code = (err as { code?: unknown }).code
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err
      }
    }
  }

  async close(): Promise<void> {}
}
