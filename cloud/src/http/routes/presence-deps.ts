// What the presence routes share: the committed-change events, the allow-list publisher that pushes
// readers their lists after a change, and the time series for a member's erasure.

import type { FastifyBaseLogger } from 'fastify'
import type { PresenceEvents } from '../../domains/presence/presence-events.js'
import type { Db } from '../../storage/db.js'
import type { SeriesDelete } from '../../timeseries/sink.js'
import type { PresenceStreams } from './presence-stream.js'

export interface PresenceApiDeps {
  events?: PresenceEvents
  /** Without it (a non-critical feature that failed) readers get the change at the next start. */
  allowLists?: { refresh(): Promise<void> }
  series?: { delete(d: SeriesDelete): Promise<void> }
  now?: () => number
}

export interface PresenceRouteOptions {
  db: Db
  presence: PresenceApiDeps
  streams: PresenceStreams
}

/**
 * Pushes the readers' new allow-lists before the route answers, so a revocation has reached the broker
 * when the caller hears it is done (DESIGN.md, "revoked (effective at once)").
 */
export async function pushAllowLists(p: PresenceApiDeps, log: FastifyBaseLogger): Promise<void> {
  if (p.allowLists === undefined) {
    log.warn('the allow-list publisher is not running; readers keep their last list until it starts')
    return
  }
  await p.allowLists.refresh()
}
