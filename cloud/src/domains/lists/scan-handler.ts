// The `scan` event's domain: scans become list items (see scan-apply.ts), then live views hear of it.
import type { ScanEvent } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { EventHandler, HandlerResult, IncomingEvent } from '../../ingest/event-ingest.js'
import type { Database } from '../../storage/schema.js'
import type { ListEvents } from './list-events.js'
import { applyScans } from './scan-apply.js'

export class ScanHandler implements EventHandler {
  constructor(private readonly o: { events: ListEvents; debounceMs: number }) {}

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
      { now, debounceMs: this.o.debounceMs },
    )
    return applied.map((r) => ({
      ack: r.ack,
      tags: r.householdId ? { household: r.householdId } : undefined,
      after:
        r.householdId === undefined || r.changedItemId === undefined
          ? undefined
          : () => {
              this.o.events.emit('change', {
                householdId: r.householdId!,
                itemId: r.changedItemId,
                reason: 'scan',
              })
              if (r.unknownKey)
                this.o.events.emit('unknown', { householdId: r.householdId!, code: r.unknownKey })
            },
    }))
  }
}
