// What the pickups routes (sites.ts, couriers.ts, pickups*.ts) share: the round service behind the
// PickupOps interface, its change events, and how their options look.
import type { AgentStateReader } from '../../domains/fleet/agent-snapshot.js'
import type { PickupEvents } from '../../domains/pickups/pickup-events.js'
import type { PickupOps } from '../../domains/pickups/views.js'
import { RelaisError } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { ErrorSchema, errorResponses } from '../schemas.js'
import type { PickupStreams } from './pickups-stream.js'

export interface PickupApiDeps {
  /** The round service; without it (a non-critical feature that failed) planning and actions are 503. */
  ops?: PickupOps
  /** Committed changes, for the courier and site event streams. */
  events?: PickupEvents
  /** RELAIS_TZ: the default `day` of round routes is today there. */
  timeZone: string
  /** RELAIS_WEBHOOK_URL is set (the deliveries route says so). */
  webhookConfigured: boolean
  now?: () => number
}

export interface PickupRouteOptions {
  db: Db
  pickups: PickupApiDeps
  agents?: AgentStateReader
  streams: PickupStreams
}

export function opsOf(p: PickupApiDeps): PickupOps {
  if (p.ops === undefined) throw new RelaisError('unavailable', 'the round service is not running', 503)
  return p.ops
}

/** The error replies of the pickups routes: those of every route plus conflicts and 503. */
export const pickupErrors = { ...errorResponses, 409: ErrorSchema, 503: ErrorSchema }
