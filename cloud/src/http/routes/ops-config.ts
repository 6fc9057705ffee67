// The ops page's config routes (no `access` declared: ops tokens only, see auth.ts):
//   GET|PUT /api/agents/:agent/config   the agent's desired config. A push goes through the presence
//   config publisher (push()), the one writer of that retained topic: the sections given replace every
//   one but `beacons`, the allow-lists presence keeps, and the revision grows from the same row.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { recordOpsAction } from '../../domains/fleet/link-log.js'
import { RelaisError } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { actorOf } from '../auth.js'
import { ConfigBody, ConfigResponse, OpsParams } from '../ops-schemas.js'
import { ErrorSchema, errorResponses } from '../schemas.js'
import { knownAgent, type OpsApiDeps, recorderOf, unavailable } from './ops-agent.js'

const RESERVED = ['revision', 'beacons']

export const opsConfigRoutes: FastifyPluginAsyncTypebox<OpsApiDeps & { db: Db }> = async (app, o) => {
  const with503 = { ...errorResponses, 409: ErrorSchema, 503: ErrorSchema }
  const known = (agent: string) => knownAgent(o.db, agent)
  const recorder = () => recorderOf(o)

  async function readConfig(agent: string) {
    const row = await o.db
      .selectFrom('agent_configs')
      .selectAll()
      .where('agent_id', '=', agent)
      .executeTakeFirst()
    const data = row === undefined ? {} : (JSON.parse(row.data) as Record<string, unknown>)
    const { revision: _r, beacons, ...config } = data
    return {
      agent,
      revision: row === undefined ? null : Number(row.revision),
      config,
      beaconReaders: Object.keys((beacons ?? {}) as object).sort(),
      updatedAt: row === undefined ? null : Number(row.updated_at),
    }
  }

  app.get(
    '/agents/:agent/config',
    { schema: { params: OpsParams, response: { 200: ConfigResponse, ...errorResponses } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      await known(request.params.agent)
      return readConfig(request.params.agent)
    },
  )

  app.put(
    '/agents/:agent/config',
    {
      schema: {
        params: OpsParams,
        body: ConfigBody,
        response: { 200: ConfigResponse, 413: ErrorSchema, ...with503 },
      },
    },
    async (request) => {
      const agent = request.params.agent
      const row = await known(agent)
      if (row.revoked_at !== null) throw new RelaisError('agent_revoked', `agent '${agent}' is revoked`, 409)
      const sections = request.body.config
      for (const key of RESERVED)
        if (key in sections)
          throw new RelaisError(
            'config_section_reserved',
            `config.${key} is the cloud's own (${key === 'beacons' ? 'presence consents' : 'it counts pushes'})`,
          )
      if (o.configs === undefined) throw unavailable('the config publisher')
      const { revision } = await o.configs.push(agent, sections)
      const what = Object.keys(sections).join(',')
      recordOpsAction(recorder(), agent, 'config', { what, by: actorOf(request.identity!), revision })
      return readConfig(agent)
    },
  )
}
