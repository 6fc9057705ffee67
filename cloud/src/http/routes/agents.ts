// The fleet registry API (issue 6), ops tokens only: no route here declares `access`, so the bearer hook
// refuses every other token (auth.ts). Rotating or revoking also tells the broker at once, so a session
// using the old secret ends before the answer (the CLI's changes are found by the broker's poll instead).
//   GET    /api/agents[?tag=&kind=&revoked=true]   the registry
//   POST   /api/agents                             provision; the secret (and config file) once
//   GET    /api/agents/:agent
//   POST   /api/agents/:agent/rotate               a new secret, once
//   DELETE /api/agents/:agent                      revoke
//   POST   /api/agents/:agent/tags                 { add, remove }
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { agentConfigFile, hasConfigTemplate } from '../../domains/agents/agent-config.js'
import { addAgent, revokeAgent, rotateAgentSecret } from '../../domains/agents/agents.js'
import { retagAgent } from '../../domains/agents/tags.js'
import type { AgentStateReader } from '../../domains/fleet/agent-snapshot.js'
import { getRegistryAgent, listRegistry } from '../../domains/fleet/registry.js'
import type { Db } from '../../storage/db.js'
import {
  AgentListQuery,
  AgentListResponse,
  AgentParams,
  CreateAgentBody,
  CreateAgentResponse,
  RegistryAgentSchema,
  RevokeResponse,
  RotateResponse,
  TagsBody,
  TagsResponse,
} from '../agent-schemas.js'
import { errorResponses } from '../schemas.js'

export interface AgentRoutesOptions {
  db: Db
  agents?: AgentStateReader
  /** Ends sessions whose credentials just changed (the broker's credential watch). */
  credentialsChanged?: () => Promise<void>
  /** The broker URL written into config files when the request names none. */
  agentBrokerUrl?: string
}

export const agentRoutes: FastifyPluginAsyncTypebox<AgentRoutesOptions> = async (app, o) => {
  const { db } = o
  const errors = { ...errorResponses, 409: errorResponses[400] }

  app.get(
    '/agents',
    { schema: { querystring: AgentListQuery, response: { 200: AgentListResponse, ...errors } } },
    async (request) => {
      const q = request.query
      return { agents: await listRegistry(db, o.agents, { ...q, revoked: q.revoked === 'true' }) }
    },
  )

  app.post(
    '/agents',
    { schema: { body: CreateAgentBody, response: { 201: CreateAgentResponse, ...errors } } },
    async (request, reply) => {
      const b = request.body
      const created = await addAgent(db, {
        id: b.id,
        kind: b.kind,
        householdId: b.household,
        siteId: b.site,
        zoneId: b.zone,
        tags: b.tags,
      })
      const brokerUrl = b.brokerUrl ?? o.agentBrokerUrl
      let config: Record<string, unknown> | null = null
      if (brokerUrl !== undefined && hasConfigTemplate(created.agent.kind)) {
        config = agentConfigFile({
          agent: created.agent.id,
          kind: created.agent.kind,
          secret: created.secret,
          brokerUrl,
          caFile: b.caFile,
        })
      }
      request.log.info({ agent: created.agent.id, kind: created.agent.kind }, 'agent provisioned')
      reply.status(201)
      return {
        agent: await getRegistryAgent(db, o.agents, created.agent.id),
        username: created.username,
        secret: created.secret,
        config,
      }
    },
  )

  app.get(
    '/agents/:agent',
    { schema: { params: AgentParams, response: { 200: RegistryAgentSchema, ...errors } } },
    async (request) => getRegistryAgent(db, o.agents, request.params.agent),
  )

  app.post(
    '/agents/:agent/rotate',
    { schema: { params: AgentParams, response: { 200: RotateResponse, ...errors } } },
    async (request) => {
      const agent = request.params.agent
      const { secret } = await rotateAgentSecret(db, agent)
      await o.credentialsChanged?.()
      request.log.info({ agent }, 'agent secret rotated')
      return { agent, username: agent, secret }
    },
  )

  app.delete(
    '/agents/:agent',
    { schema: { params: AgentParams, response: { 200: RevokeResponse, ...errors } } },
    async (request) => {
      const agent = request.params.agent
      const { revokedAt } = await revokeAgent(db, agent)
      await o.credentialsChanged?.()
      request.log.info({ agent }, 'agent revoked')
      return { agent, revoked: true as const, revokedAt }
    },
  )

  app.post(
    '/agents/:agent/tags',
    { schema: { params: AgentParams, body: TagsBody, response: { 200: TagsResponse, ...errors } } },
    async (request) => {
      const agent = request.params.agent
      return { agent, tags: await retagAgent(db, agent, request.body) }
    },
  )
}
