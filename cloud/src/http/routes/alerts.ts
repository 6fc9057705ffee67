// Ops routes of availability and alerts (no `access` declared: ops tokens only, see auth.ts):
//   GET  /api/alerts                       the alert log, filtered (unresolved by default)
//   POST /api/alerts/:id/ack               stops the repeats; the alert stays until its condition ends
//   GET  /api/agents/:agent/availability   state, since, last seen, last disconnect, sessions today
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { alertView } from '../../domains/alerts/alert-delivery.js'
import { type AckDeps, type AlertEngine, acknowledgeAlert } from '../../domains/alerts/alert-engine.js'
import { listAlerts } from '../../domains/alerts/alert-store.js'
import { sessionsToday } from '../../domains/availability/availability-state.js'
import type { AvailabilityReader } from '../../domains/availability/availability-tracker.js'
import { silenceTimeoutMs } from '../../domains/availability/device-class.js'
import type { Clock } from '../../lib/clock.js'
import { notFound, RelaisError } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import {
  AgentParams,
  AlertListQuery,
  AlertListResponse,
  AlertParams,
  AlertResponse,
  AvailabilityResponse,
} from '../alert-schemas.js'
import { actorOf } from '../auth.js'
import { ErrorSchema, errorResponses } from '../schemas.js'

export interface AlertApiDeps {
  availability: AvailabilityReader
  /** The evaluator's engine, on the process that runs it (the leader, in a cluster). */
  engine?: AlertEngine
  /** Without the engine (a follower), acknowledgements go straight to the database with these. */
  acks: AckDeps
  clock: Clock
}

export const alertRoutes: FastifyPluginAsyncTypebox<AlertApiDeps & { db: Db }> = async (app, deps) => {
  app.get(
    '/alerts',
    { schema: { querystring: AlertListQuery, response: { 200: AlertListResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const q = request.query
      const limit = Number(q.limit ?? 100)
      if (limit < 1 || limit > 1000) throw new RelaisError('invalid_request', 'limit must be from 1 to 1000')
      const alerts = await listAlerts(deps.db, {
        state: q.state as 'unresolved' | undefined,
        rule: q.rule,
        subject: q.subject,
        severity: q.severity,
        since: q.since === undefined ? undefined : Number(q.since),
        limit,
      })
      return { alerts: alerts.map(alertView) }
    },
  )

  app.post(
    '/alerts/:id/ack',
    {
      schema: {
        params: AlertParams,
        response: { 200: AlertResponse, 409: ErrorSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { id } = request.params
      const by = actorOf(request.identity!)
      const now = deps.clock.now()
      // The engine's own, when it runs here, so the ack is ordered with its ticks.
      const alert =
        deps.engine !== undefined
          ? await deps.engine.ack(id, by, now)
          : await acknowledgeAlert(deps.acks, id, by, now)
      return { alert: alertView(alert) }
    },
  )

  app.get(
    '/agents/:agent/availability',
    { schema: { params: AgentParams, response: { 200: AvailabilityResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const agent = request.params.agent
      const r = deps.availability.get(agent)
      if (r === undefined) {
        const known = await deps.db
          .selectFrom('agents')
          .select('id')
          .where('id', '=', agent)
          .executeTakeFirst()
        if (known === undefined) throw notFound(`agent '${agent}'`)
      }
      const s = deps.availability.settings
      const now = deps.clock.now()
      return {
        agent,
        state: r?.state ?? 'unknown',
        since: r?.since ?? null,
        offlineCause: r?.offlineCause ?? null,
        goingDownSince: r?.pendingDownAt ?? null,
        lastSeen: r?.lastSeen ?? null,
        lastDisconnect: r?.lastDisconnect ?? null,
        sessionsToday: r === undefined ? 0 : sessionsToday(r, now, s.timeZone),
        kinds: r?.kinds ?? [],
        silenceTimeoutMs: silenceTimeoutMs(r?.kinds ?? [], s),
        devices: [...(r?.devices.values() ?? [])].sort((a, b) => a.id.localeCompare(b.id)),
      }
    },
  )
}
