// Zones and their readers (ops), and the staff view of a zone: who of its opted-in members is present
// now, and a live stream of enters and leaves (ops and the zone's own token). Access per route: auth.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presentIn } from '../../domains/presence/present.js'
import { addZone, getZone, listZones, placeReader } from '../../domains/presence/zones.js'
import {
  PresenceStreamResponse,
  PresentResponse,
  presenceErrors,
  ReaderBody,
  ReaderSchema,
  ZoneBody,
  ZoneListResponse,
  ZoneParams,
  ZoneSchema,
} from '../presence-schemas.js'
import { type PresenceRouteOptions, pushAllowLists } from './presence-deps.js'

export const presenceZoneRoutes: FastifyPluginAsyncTypebox<PresenceRouteOptions> = async (app, opts) => {
  const { db, presence, streams } = opts

  app.get('/zones', { schema: { response: { 200: ZoneListResponse, ...presenceErrors } } }, async () => ({
    zones: await listZones(db),
  }))

  app.post(
    '/zones',
    { schema: { body: ZoneBody, response: { 201: ZoneSchema, ...presenceErrors } } },
    async (request, reply) => {
      const zone = await addZone(db, request.body)
      request.log.info({ zone: zone.id }, 'zone created')
      return reply.code(201).send(zone)
    },
  )

  app.put(
    '/zones/:zone/readers',
    { schema: { params: ZoneParams, body: ReaderBody, response: { 200: ReaderSchema, ...presenceErrors } } },
    async (request) => {
      const placed = await placeReader(db, { ...request.body, zone: request.params.zone })
      request.log.info(placed, 'reader placed')
      await pushAllowLists(presence, request.log)
      return placed
    },
  )

  app.get(
    '/zones/:zone/present',
    {
      config: { access: { zone: 'self' } },
      schema: { params: ZoneParams, response: { 200: PresentResponse, ...presenceErrors } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const zone = await getZone(db, request.params.zone)
      return { zone, present: await presentIn(db, zone.id) }
    },
  )

  app.get(
    '/zones/:zone/present/events',
    {
      config: { access: { zone: 'self' } },
      schema: { params: ZoneParams, response: { 200: PresenceStreamResponse, ...presenceErrors } },
    },
    async (request, reply) => {
      await getZone(db, request.params.zone) // an unknown zone is a JSON 404 before the stream starts
      streams.stream(request, reply, request.params.zone)
    },
  )
}
