// Sites (where buttons are placed): the list and creation for ops staff, and one site's page data
// (its open request, history and buttons) for ops, any courier and that site's own token; plus its
// event stream (`event: pickup`). Who may reach what is declared per route (auth.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createSite } from '../../domains/sites/sites.js'
import { getSite, listSites, siteButtons } from '../pickup-reads.js'
import {
  PickupStreamResponse,
  SiteBody,
  SiteListResponse,
  SiteParams,
  SitePickupsResponse,
  SiteSchema,
} from '../pickup-schemas.js'
import { opsOf, type PickupRouteOptions, pickupErrors } from './pickups-deps.js'

export const siteRoutes: FastifyPluginAsyncTypebox<PickupRouteOptions> = async (app, opts) => {
  const { db, pickups, agents, streams } = opts

  app.get('/sites', { schema: { response: { 200: SiteListResponse, ...pickupErrors } } }, async () => ({
    sites: await listSites(db),
  }))

  app.post(
    '/sites',
    { schema: { body: SiteBody, response: { 201: SiteSchema, ...pickupErrors } } },
    async (request, reply) => {
      await createSite(db, request.body)
      request.log.info({ site: request.body.id }, 'site created')
      return reply.code(201).send(await getSite(db, request.body.id))
    },
  )

  app.get(
    '/sites/:site',
    {
      config: { access: { courier: 'any', site: 'self' } },
      schema: { params: SiteParams, response: { 200: SitePickupsResponse, ...pickupErrors } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      const view = await opsOf(pickups).siteView(request.params.site)
      return { ...view, buttons: await siteButtons(db, agents, request.params.site) }
    },
  )

  app.get(
    '/sites/:site/events',
    {
      config: { access: { courier: 'any', site: 'self' } },
      schema: { params: SiteParams, response: { 200: PickupStreamResponse, ...pickupErrors } },
    },
    async (request, reply) => {
      const siteId = request.params.site
      await getSite(db, siteId) // an unknown site is a JSON 404 before the stream starts
      streams.stream(request, reply, 'pickup', (c) => c.siteId === siteId, { site: siteId })
    },
  )
}
