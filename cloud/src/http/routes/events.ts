// GET /api/households/:household/events: server-sent events for live list views. Each committed change
// of that household arrives as `event: change` with `{ itemId?, reason }`; the page then re-reads the
// list. A visible change of one of its agents (online, devices, pending count) arrives as
// `event: device` with `{ agent }`; the page then re-reads its devices. One stream for both, so a page
// holds one connection (browsers allow six per host over HTTP/1.1). A comment every 25 s keeps proxies
// from closing an idle stream. The listeners go when the client does, and app.close() ends every open
// stream rather than waiting on them forever.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AgentChange, FleetEvents } from '../../domains/fleet/fleet-events.js'
import { getHousehold } from '../../domains/households/households.js'
import type { ListChange, ListEvents } from '../../domains/lists/list-events.js'
import type { Db } from '../../storage/db.js'
import { EventStreamResponse, errorResponses, HouseholdParams } from '../schemas.js'

export interface EventRoutesOptions {
  db: Db
  listEvents: ListEvents
  /** Agent state changes; without it the stream carries list changes only. */
  fleetEvents?: FleetEvents
  heartbeatMs?: number
}

// A client that reads nothing for this long (in bytes queued) is dropped instead of growing memory.
const MAX_BUFFERED = 256 * 1024

export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (app, opts) => {
  const heartbeatMs = opts.heartbeatMs ?? 25_000
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get(
    '/households/:household/events',
    { schema: { params: HouseholdParams, response: { 200: EventStreamResponse, ...errorResponses } } },
    async (request, reply) => {
      const householdId = request.params.household
      // An unknown household is a 404 with a JSON body, before the stream starts.
      await getHousehold(opts.db, householdId)
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx would otherwise hold events back
        'x-request-id': request.id,
      })
      let ended = false
      const end = () => {
        if (ended) return
        ended = true
        clearInterval(timer)
        opts.listEvents.off('change', onChange)
        opts.fleetEvents?.off('change', onDevice)
        open.delete(end)
        if (!res.writableEnded) res.end()
        request.log.debug({ household: householdId }, 'event stream closed')
      }
      const send = (chunk: string) => {
        if (ended) return
        if (res.writableLength > MAX_BUFFERED) {
          request.log.warn({ household: householdId }, 'event stream client too slow; closing')
          end()
          return
        }
        res.write(chunk)
      }
      const onChange = (c: ListChange) => {
        if (c.householdId !== householdId) return
        send(`event: change\ndata: ${JSON.stringify({ itemId: c.itemId, reason: c.reason })}\n\n`)
      }
      const onDevice = (c: AgentChange) => {
        if (c.householdId !== householdId) return
        send(`event: device\ndata: ${JSON.stringify({ agent: c.agent })}\n\n`)
      }
      const timer = setInterval(() => send(': heartbeat\n\n'), heartbeatMs)
      opts.listEvents.on('change', onChange)
      opts.fleetEvents?.on('change', onDevice)
      open.add(end)
      // The response's close: the client went away (or we ended it). The request's close only means
      // its body was read.
      res.on('close', end)
      res.write('retry: 5000\n: connected\n\n')
    },
  )
}
