// The `scan` event's domain: scans become list items (see scan-apply.ts). The handler runs inside the
// ingest transaction (possibly in the writer thread); its effect runs after the commit, on the main
// thread, where live views and the online lookup listen.
import type { ScanEvent } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { EventHandler, HandlerResult, IncomingEvent } from '../../ingest/batch-apply.js'
import type { Database } from '../../storage/schema.js'
import { ListCache } from './list-cache.js'
import type { ListEvents } from './list-events.js'
import { applyScans } from './scan-apply.js'

/** What a committed scan changed, as plain data (it may cross from the writer thread). */
export interface ScanEffect {
  householdId: string
  itemId: string
  unknownKey?: string
}

export class ScanHandler implements EventHandler {
  private readonly cache?: ListCache

  /** @param o.cacheItems keep items and names from batch to batch (list-cache.ts): the writer thread only. */
  constructor(private readonly o: { debounceMs: number; cacheItems?: boolean }) {
    if (o.cacheItems) this.cache = new ListCache()
  }

  aborted(): void {
    this.cache?.clear()
  }

  async apply(trx: Kysely<Database>, events: IncomingEvent[], now: number): Promise<HandlerResult[]> {
    const applied = await applyScans(
      trx,
      events.map((e) => ({
        agent: e.agent,
        device: e.device,
        householdId: e.householdId,
        eventId: e.message.id,
        ts: e.message.ts,
        data: e.message.data as ScanEvent,
      })),
      { now, debounceMs: this.o.debounceMs, cache: this.cache },
    )
    return applied.map((r) => {
      const effect: ScanEffect | undefined =
        r.householdId === undefined || r.changedItemId === undefined
          ? undefined
          : { householdId: r.householdId, itemId: r.changedItemId, unknownKey: r.unknownKey }
      return { ack: r.ack, tags: r.householdId ? { household: r.householdId } : undefined, effect }
    })
  }
}

/** Tells live views of the change, and the online lookup of a code nobody could name. */
export function scanEffect(events: ListEvents): (effect: unknown) => void {
  return (effect) => {
    const e = effect as ScanEffect
    events.emit('change', { householdId: e.householdId, itemId: e.itemId, reason: 'scan' })
    if (e.unknownKey) events.emit('unknown', { householdId: e.householdId, code: e.unknownKey })
  }
}
