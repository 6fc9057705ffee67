// Depots and couriers for ops staff (list, create with the CLI's validation), a courier's round of a day
// for that courier and ops, every courier's round summary for ops, and the courier's event stream
// (`event: round` on every change that touches its round). Who may reach what is declared per route.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createCourier } from '../../domains/couriers/couriers.js'
import { createDepot } from '../../domains/depots/depots.js'
import { isDay, localDay } from '../../domains/pickups/local-time.js'
import { invalid } from '../../lib/errors.js'
import { getCourier, listCouriers, listDepots, roundsOfDay } from '../pickup-reads.js'
import {
  CourierBody,
  CourierListResponse,
  CourierParams,
  CourierSchema,
  DayQuery,
  DepotBody,
  DepotListResponse,
  DepotSchema,
  PickupStreamResponse,
  RoundSchema,
  RoundsResponse,
} from '../pickup-schemas.js'
import { opsOf, type PickupRouteOptions, pickupErrors } from './pickups-deps.js'

export const courierRoutes: FastifyPluginAsyncTypebox<PickupRouteOptions> = async (app, opts) => {
  const { db, pickups, streams } = opts
  const dayOf = (day: string | undefined) => {
    if (day === undefined) return localDay((pickups.now ?? Date.now)(), pickups.timeZone)
    if (!isDay(day)) throw invalid(`querystring.day ${day} is not a calendar day`)
    return day
  }

  app.get('/depots', { schema: { response: { 200: DepotListResponse, ...pickupErrors } } }, async () => ({
    depots: await listDepots(db),
  }))

  app.post(
    '/depots',
    { schema: { body: DepotBody, response: { 201: DepotSchema, ...pickupErrors } } },
    async (request, reply) => {
      const d = await createDepot(db, request.body)
      request.log.info({ depot: d.id }, 'depot created')
      return reply
        .code(201)
        .send({ id: d.id, name: d.name, address: d.address, lat: Number(d.lat), lon: Number(d.lon) })
    },
  )

  app.get('/couriers', { schema: { response: { 200: CourierListResponse, ...pickupErrors } } }, async () => ({
    couriers: await listCouriers(db),
  }))

  app.post(
    '/couriers',
    { schema: { body: CourierBody, response: { 201: CourierSchema, ...pickupErrors } } },
    async (request, reply) => {
      const { depot, ...rest } = request.body
      const c = await createCourier(db, { ...rest, depotId: depot })
      request.log.info({ courier: c.id, depot }, 'courier created')
      return reply.code(201).send(await getCourier(db, c.id))
    },
  )

  app.get(
    '/couriers/:courier/round',
    {
      config: { access: { courier: 'self' } },
      schema: {
        params: CourierParams,
        querystring: DayQuery,
        response: { 200: RoundSchema, ...pickupErrors },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const courier = await getCourier(db, request.params.courier) // 404 before anything is planned
      return opsOf(pickups).roundOf(courier.id, dayOf(request.query.day))
    },
  )

  app.get(
    '/rounds',
    { schema: { querystring: DayQuery, response: { 200: RoundsResponse, ...pickupErrors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const day = dayOf(request.query.day)
      return { day, rounds: await roundsOfDay(db, day) }
    },
  )

  app.get(
    '/couriers/:courier/events',
    {
      config: { access: { courier: 'self' } },
      schema: { params: CourierParams, response: { 200: PickupStreamResponse, ...pickupErrors } },
    },
    async (request, reply) => {
      const courierId = request.params.courier
      await getCourier(db, courierId) // an unknown courier is a JSON 404 before the stream starts
      streams.stream(request, reply, 'round', (c) => c.courierId === courierId, { courier: courierId })
    },
  )
}
