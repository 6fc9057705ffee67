// Which domain takes which event name: built the same way on the main thread and in the SQLite writer
// thread, so both apply events alike.
import { ScanHandler } from '../domains/lists/scan-handler.js'
import { PressHandler } from '../domains/pickups/press-handler.js'
import { PresenceHandler } from '../domains/presence/presence-handler.js'
import type { EventHandler } from '../ingest/batch-apply.js'

export interface HandlerSettings {
  debounceMs: number
  /** Queue a webhook delivery with every pickup transition (RELAIS_WEBHOOK_URL is set). */
  webhook: boolean
  /**
   * Keep list items and names from batch to batch (domains/lists/list-cache.ts). Only where ingest has its
   * connection to itself: the SQLite writer thread.
   */
  cacheItems?: boolean
}

export function createEventHandlers(s: HandlerSettings): Record<string, EventHandler> {
  const presence = new PresenceHandler()
  return {
    scan: new ScanHandler({ debounceMs: s.debounceMs, cacheItems: s.cacheItems }),
    press: new PressHandler({ webhook: s.webhook }),
    enter: presence,
    leave: presence,
  }
}
