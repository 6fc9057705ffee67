// GET /metrics: the cloud's own metrics in the Prometheus text format (metrics/cloud-metrics.ts). Behind
// an ops token like the rest of the API (DESIGN.md: no route without one); Prometheus sends it with
// `authorization: { type: Bearer, credentials_file: ... }` in its scrape config.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { CloudMetrics } from '../../metrics/cloud-metrics.js'
import { errorResponses } from '../schemas.js'

export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: CloudMetrics }> = async (app, o) => {
  // The body is text; fastify sends a string with a non-JSON type as is (no JSON serializer runs).
  const response = { 200: Type.String({ description: 'Prometheus text format 0.0.4' }), ...errorResponses }
  app.get('/metrics', { schema: { response } }, async (_request, reply) => {
    const { contentType, body } = await o.metrics.text()
    return reply.header('cache-control', 'no-store').type(contentType).send(body)
  })
}
