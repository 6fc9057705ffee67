// The HTTP API as a fastify app, built apart from listen() (server.ts) so tests drive it with inject().
// Layout: /healthz open to probes; the household page's shell and assets (/h/:household, /static/*)
// open too, since they hold no data; everything under /api behind the bearer hook (auth.ts).
import { randomUUID } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { AgentStateReader } from '../domains/fleet/agent-snapshot.js'
import type { FleetEvents } from '../domains/fleet/fleet-events.js'
import type { ListEvents } from '../domains/lists/list-events.js'
import type { Logger } from '../lib/logger.js'
import type { CloudMetrics } from '../metrics/cloud-metrics.js'
import type { Db } from '../storage/db.js'
import { bearerAuth } from './auth.js'
import { installErrorHandlers } from './errors.js'
import { agentRoutes } from './routes/agents.js'
import { type AlertApiDeps, alertRoutes } from './routes/alerts.js'
import { courierRoutes } from './routes/couriers.js'
import { deviceRoutes } from './routes/devices.js'
import { eventRoutes } from './routes/events.js'
import { healthRoutes } from './routes/health.js'
import { listRoutes } from './routes/lists.js'
import { metricsRoutes } from './routes/metrics.js'
import { opsRoutes } from './routes/ops.js'
import type { OpsApiDeps } from './routes/ops-agent.js'
import { pageRoutes } from './routes/pages.js'
import { pickupRoutes } from './routes/pickups.js'
import type { PickupApiDeps } from './routes/pickups-deps.js'
import { PickupStreams } from './routes/pickups-stream.js'
import { webhookRoutes } from './routes/pickups-webhooks.js'
import type { PresenceApiDeps } from './routes/presence-deps.js'
import { presenceMemberRoutes } from './routes/presence-members.js'
import { PresenceStreams } from './routes/presence-stream.js'
import { presenceZoneRoutes } from './routes/presence-zones.js'
import { siteRoutes } from './routes/sites.js'

export interface HttpDeps {
  db: Db
  /** A child logger for the HTTP module; fastify's request loggers are children of it. */
  log: Logger
  listEvents: ListEvents
  /** Agent state for the devices route and `event: device`; without it agents read as offline. */
  fleet?: { agents: AgentStateReader; events: FleetEvents }
  version?: string
  /** Extra fields for /healthz (broker up, ingest lag); must hold no household data. */
  health?: () => Record<string, unknown>
  /** Milliseconds between event-stream heartbeats; 25 s unless a test wants them sooner. */
  sseHeartbeatMs?: number
  /** The pickups API's round service and settings; without it the lists still read (days in UTC)
   * and whatever plans or changes a request answers 503. */
  pickups?: PickupApiDeps
  /** Availability and alerts (ops); without them those routes do not exist. */
  alerts?: AlertApiDeps
  /** The fleet registry API: the broker's credential check after a rotate or revoke, and the broker
   * URL written into agent config files. */
  registry?: { credentialsChanged?: () => Promise<void>; agentBrokerUrl?: string }
  /** GET /metrics (ops token); without it the route does not exist. */
  metrics?: CloudMetrics
  /** Presence (zones, members, consents): its events, the allow-list publisher and the time series. */
  presence?: PresenceApiDeps
  /** The ops page's API: commands through the broker, health from the time series, config pushes. */
  ops?: OpsApiDeps
}

export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // The caller's child logger as is (it names the module); fastify adds reqId per request.
    loggerInstance: deps.log as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: 64 * 1024, // the largest body is a product name
    ajv: {
      customOptions: {
        // Fastify's defaults strip unknown fields and coerce "3" to 3; an API that says what was wrong
        // with a body must see the body as sent.
        removeAdditional: false,
        coerceTypes: false,
        useDefaults: true,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  installErrorHandlers(app)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(healthRoutes, { version: deps.version ?? 'unknown', health: deps.health })
  await app.register(pageRoutes)
  const metrics = deps.metrics
  if (metrics !== undefined) {
    await app.register(async (scope) => {
      await scope.register(bearerAuth, { db: deps.db })
      await scope.register(metricsRoutes, { metrics })
    })
  }
  await app.register(
    async (api) => {
      await api.register(bearerAuth, { db: deps.db })
      await api.register(listRoutes, { db: deps.db, listEvents: deps.listEvents })
      await api.register(deviceRoutes, { db: deps.db, agents: deps.fleet?.agents })
      await api.register(agentRoutes, { db: deps.db, agents: deps.fleet?.agents, ...deps.registry })
      await api.register(eventRoutes, {
        db: deps.db,
        listEvents: deps.listEvents,
        fleetEvents: deps.fleet?.events,
        heartbeatMs: deps.sseHeartbeatMs,
      })
      const streams = new PickupStreams(deps.pickups?.events, deps.sseHeartbeatMs)
      api.addHook('preClose', async () => streams.closeAll())
      const pickupOpts = {
        db: deps.db,
        pickups: deps.pickups ?? { timeZone: 'UTC', webhookConfigured: false },
        agents: deps.fleet?.agents,
        streams,
      }
      await api.register(siteRoutes, pickupOpts)
      await api.register(courierRoutes, pickupOpts)
      await api.register(pickupRoutes, pickupOpts)
      await api.register(webhookRoutes, pickupOpts)
      if (deps.alerts) await api.register(alertRoutes, { db: deps.db, ...deps.alerts })
      await api.register(opsRoutes, {
        db: deps.db,
        agents: deps.fleet?.agents,
        fleetEvents: deps.fleet?.events,
        alerts: deps.alerts,
        heartbeatMs: deps.sseHeartbeatMs,
        ...deps.ops,
      })
      const presenceStreams = new PresenceStreams(deps.presence?.events, deps.sseHeartbeatMs)
      api.addHook('preClose', async () => presenceStreams.closeAll())
      const presenceOpts = { db: deps.db, presence: deps.presence ?? {}, streams: presenceStreams }
      await api.register(presenceZoneRoutes, presenceOpts)
      await api.register(presenceMemberRoutes, presenceOpts)
    },
    { prefix: '/api' },
  )
  return app
}
