// Pickup requests: the list for ops staff, one request with its transitions (ops, a courier serving it,
// its site's token), the courier's actions (collected, not found: couriers and ops) and cancelling
// (ops, and the site's own token: a customer may cancel online as at the button). Changes go through
// the round service (PickupOps), which records who did it: `courier:<id>`, `ops:<token id>`,
// `site:<id>` (auth.ts actorOf). Also the buttons placed at sites, for ops.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { actorOf } from '../auth.js'
import { listButtons, listPickups } from '../pickup-reads.js'
import {
  ButtonsResponse,
  CollectedBody,
  PickupListQuery,
  PickupListResponse,
  PickupParams,
  PickupSchema,
  ReasonBody,
} from '../pickup-schemas.js'
import { opsOf, type PickupRouteOptions, pickupErrors } from './pickups-deps.js'

export const pickupRoutes: FastifyPluginAsyncTypebox<PickupRouteOptions> = async (app, opts) => {
  const { db, pickups, agents } = opts

  app.get(
    '/pickups',
    { schema: { querystring: PickupListQuery, response: { 200: PickupListResponse, ...pickupErrors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const { state, site, limit } = request.query
      return { pickups: await listPickups(db, { state, site, limit: Math.min(1000, Number(limit ?? 100)) }) }
    },
  )

  app.get(
    '/pickups/:pickup',
    {
      config: { access: { courier: 'self', site: 'self' } },
      schema: { params: PickupParams, response: { 200: PickupSchema, ...pickupErrors } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return opsOf(pickups).pickup(request.params.pickup)
    },
  )

  app.post(
    '/pickups/:pickup/collected',
    {
      config: { access: { courier: 'self' } },
      schema: { params: PickupParams, body: CollectedBody, response: { 200: PickupSchema, ...pickupErrors } },
    },
    async (request) => {
      const by = actorOf(request.identity!)
      const v = await opsOf(pickups).collect(request.params.pickup, by, request.body.note?.trim())
      request.log.info({ requestId: v.id, site: v.siteId, by }, 'pickup collected')
      return v
    },
  )

  app.post(
    '/pickups/:pickup/not-found',
    {
      config: { access: { courier: 'self' } },
      schema: { params: PickupParams, body: ReasonBody, response: { 200: PickupSchema, ...pickupErrors } },
    },
    async (request) => {
      const by = actorOf(request.identity!)
      const v = await opsOf(pickups).notFound(request.params.pickup, by, request.body.reason.trim())
      request.log.info({ requestId: v.id, site: v.siteId, by }, 'pickup not found')
      return v
    },
  )

  app.post(
    '/pickups/:pickup/cancel',
    {
      config: { access: { site: 'self' } },
      schema: { params: PickupParams, body: ReasonBody, response: { 200: PickupSchema, ...pickupErrors } },
    },
    async (request) => {
      const by = actorOf(request.identity!)
      const v = await opsOf(pickups).cancel(request.params.pickup, by, request.body.reason.trim())
      request.log.info({ requestId: v.id, site: v.siteId, by }, 'pickup cancelled')
      return v
    },
  )

  app.get(
    '/buttons',
    { schema: { response: { 200: ButtonsResponse, ...pickupErrors } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      return { buttons: await listButtons(db, agents) }
    },
  )
}
