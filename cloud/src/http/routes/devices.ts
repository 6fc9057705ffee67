// GET /api/households/:household/devices: the household's scanners for its page (online, since, last
// scan, pending count, attached devices). The bearer hook of the /api scope has already checked that
// the token may reach `:household`, as for the list routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AgentStateReader } from '../../domains/fleet/agent-snapshot.js'
import { householdAgents } from '../../domains/fleet/household-agents.js'
import type { Db } from '../../storage/db.js'
import { DevicesResponse } from '../device-schemas.js'
import { errorResponses, HouseholdParams } from '../schemas.js'

export interface DeviceRoutesOptions {
  db: Db
  /** Without it (an app built for list tests), every agent reads as offline. */
  agents?: AgentStateReader
}

export const deviceRoutes: FastifyPluginAsyncTypebox<DeviceRoutesOptions> = async (app, { db, agents }) => {
  app.get(
    '/households/:household/devices',
    { schema: { params: HouseholdParams, response: { 200: DevicesResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return { agents: await householdAgents(db, agents, request.params.household) }
    },
  )
}
