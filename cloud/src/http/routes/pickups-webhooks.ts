// GET /api/webhooks/deliveries?pending=true: the webhook queue for ops staff (how many are waiting,
// since when, each one's attempts, last status and error, next attempt). Ops only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listDeliveries } from '../../domains/pickups/webhooks/queue.js'
import { DeliveriesResponse, DeliveryListQuery } from '../pickup-schemas.js'
import { type PickupRouteOptions, pickupErrors } from './pickups-deps.js'

export const webhookRoutes: FastifyPluginAsyncTypebox<PickupRouteOptions> = async (app, { db, pickups }) => {
  app.get(
    '/webhooks/deliveries',
    { schema: { querystring: DeliveryListQuery, response: { 200: DeliveriesResponse, ...pickupErrors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const q = await listDeliveries(db, {
        pending: request.query.pending === 'true',
        limit: Math.min(1000, Number(request.query.limit ?? 100)),
      })
      return { configured: pickups.webhookConfigured, ...q }
    },
  )
}
