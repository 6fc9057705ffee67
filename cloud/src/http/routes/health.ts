// GET /healthz: for probes and load balancers, which hold no token. It says the process answers and
// which version runs, plus the checks the composition root hands in; never any household data.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorSchema, HealthResponse } from '../schemas.js'

export interface HealthRoutesOptions {
  version: string
  health?: () => Record<string, unknown>
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, opts) => {
  app.get(
    '/healthz',
    { schema: { response: { 200: HealthResponse, 500: ErrorSchema } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store')
      // status and version last: a check cannot overwrite them.
      return { ...(opts.health?.() ?? {}), status: 'ok' as const, version: opts.version }
    },
  )
}
