// The inline applier: batches applied on the calling thread through Kysely. Used with PostgreSQL (its
// driver is asynchronous, so waiting on the database never blocks the broker) and in tests.
import type { Kysely } from 'kysely'
import type { Database } from '../storage/schema.js'
import { type Applied, applyBatch, type EventHandler, type IncomingEvent } from './batch-apply.js'
import type { BatchApplier } from './event-ingest.js'

export class InlineApplier implements BatchApplier {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly handlers: Readonly<Record<string, EventHandler>>,
  ) {}

  apply(batch: IncomingEvent[], now: number): Promise<Applied[]> {
    return applyBatch(this.db, this.handlers, batch, now)
  }

  async close(): Promise<void> {}
}
