// The ops page's fleet routes (no `access` declared: ops tokens only, see auth.ts):
//   GET /api/fleet/agents[?kind=&state=&tag=&household=&site=&zone=]   every agent at a glance, with
//        counts per state over the whole fleet (before the filters)
//   GET /api/fleet/events   server-sent `event: agent` with { agent } when what the list shows of an agent
//        changed (ops-watch.ts); the page then re-reads that agent. A comment every 25 s keeps proxies
//        from closing an idle stream; a client that stops reading is dropped rather than buffered.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AvailabilityReader } from '../../domains/availability/availability-tracker.js'
import type { AgentStateReader } from '../../domains/fleet/agent-snapshot.js'
import type { FleetEvents } from '../../domains/fleet/fleet-events.js'
import { countStates, filterOps, listOps } from '../../domains/fleet/ops-view.js'
import { OpsWatch } from '../../domains/fleet/ops-watch.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { FleetEventsResponse, FleetQuery, FleetResponse } from '../ops-schemas.js'
import { errorResponses } from '../schemas.js'
import type { AlertApiDeps } from './alerts.js'
import { type OpsApiDeps, opsAgentRoutes } from './ops-agent.js'
import { opsConfigRoutes } from './ops-config.js'

export interface OpsFleetOptions {
  db: Db
  agents?: AgentStateReader
  availability?: AvailabilityReader
  watch: OpsWatch
  heartbeatMs?: number
}

const MAX_BUFFERED = 256 * 1024

export const opsFleetRoutes: FastifyPluginAsyncTypebox<OpsFleetOptions> = async (app, o) => {
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get(
    '/fleet/agents',
    { schema: { querystring: FleetQuery, response: { 200: FleetResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const all = await listOps(o)
      return { counts: countStates(all), agents: filterOps(all, request.query) }
    },
  )

  app.get(
    '/fleet/events',
    { schema: { response: { 200: FleetEventsResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      })
      let ended = false
      const end = () => {
        if (ended) return
        ended = true
        clearInterval(timer)
        o.watch.off('agent', onAgent)
        open.delete(end)
        if (!res.writableEnded) res.end()
      }
      const send = (chunk: string) => {
        if (ended) return
        if (res.writableLength > MAX_BUFFERED) {
          request.log.warn('fleet event stream client too slow; closing')
          end()
          return
        }
        res.write(chunk)
      }
      const onAgent = (e: { agent: string }) => send(`event: agent\ndata: ${JSON.stringify(e)}\n\n`)
      const timer = setInterval(() => send(': heartbeat\n\n'), o.heartbeatMs ?? 25_000)
      o.watch.on('agent', onAgent)
      open.add(end)
      res.on('close', end)
      res.write('retry: 5000\n: connected\n\n')
    },
  )
}

export interface OpsRoutesOptions extends OpsApiDeps {
  db: Db
  agents?: AgentStateReader
  fleetEvents?: FleetEvents
  /** Availability and the alert engine; without them states come from the agents' own status. */
  alerts?: AlertApiDeps
  heartbeatMs?: number
}

/** The ops page's API: the fleet list and stream, and the routes of one agent. */
export const opsRoutes: FastifyPluginAsyncTypebox<OpsRoutesOptions> = async (app, o) => {
  const availability = o.alerts?.availability
  const engine = o.alerts?.engine
  const watch = new OpsWatch({
    fleetEvents: o.fleetEvents,
    availability,
    openAlerts: engine && (() => engine.openAlerts()),
    log: app.log as Logger,
    everyMs: o.watchMs,
  })
  watch.start()
  app.addHook('onClose', async () => watch.stop())
  await app.register(opsFleetRoutes, { ...o, availability, watch })
  // Health points carry the agents' own timestamps: the chart's range is wall-clock time.
  await app.register(opsAgentRoutes, { ...o, availability })
  await app.register(opsConfigRoutes, o)
}
