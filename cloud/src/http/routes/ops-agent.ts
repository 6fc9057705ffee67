// The ops page's routes for one agent (no `access` declared: ops tokens only, see auth.ts):
//   GET /api/agents/:agent/timeline          links, disconnects, alerts, config pushes (fleet/timeline.ts)
//   GET /api/agents/:agent/health?field=a,b  its health over time from the time series (InfluxDB or
//                                            embedded alike), one mean per bucket, for the charts
//   POST /api/agents/:agent/cmd/:name        identify | rebirth, published to its cmd topic (QoS 1)
// and GET|PUT /api/agents/:agent/config in ops-config.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { isDeviceId, makeEnvelope, newMessageId, topics } from '@relais/hardware'
import type { AvailabilityReader } from '../../domains/availability/availability-tracker.js'
import type { AgentStateReader } from '../../domains/fleet/agent-snapshot.js'
import { historyEntries, recordOpsAction } from '../../domains/fleet/link-log.js'
import { agentTimeline } from '../../domains/fleet/timeline.js'
import type { MessageBus, PointRecorder } from '../../ingest/bus.js'
import { notFound, RelaisError } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { readHealth } from '../../timeseries/health-read.js'
import type { SeriesQuery, SeriesRow } from '../../timeseries/sink.js'
import { actorOf } from '../auth.js'
import {
  CmdBody,
  CmdParams,
  CmdResponse,
  HealthQuery,
  HealthSeriesResponse,
  OpsParams,
  TimelineQuery,
  TimelineResponse,
} from '../ops-schemas.js'
import { ErrorSchema, errorResponses } from '../schemas.js'

export interface OpsApiDeps {
  /** Where commands are published; without it they answer 503. */
  bus?: MessageBus
  /** Health and history reads; ops actions are recorded in it too. */
  series?: { query(q: SeriesQuery): Promise<SeriesRow[]> } & Partial<PointRecorder>
  /** The config publisher (presence/config-publisher.ts); without it a push answers 503. */
  configs?: { push(agent: string, sections: Record<string, unknown>): Promise<{ revision: number }> }
  /** How often the fleet stream compares availability and alerts (ops-watch.ts). */
  watchMs?: number
  /** Raw health is kept this long; older parts of a chart come from its 5-minute means. */
  healthRawRetentionMs?: number
}

export interface OpsAgentOptions extends OpsApiDeps {
  db: Db
  agents?: AgentStateReader
  availability?: AvailabilityReader
}

const HOUR = 3_600_000
export const unavailable = (what: string) => new RelaisError('unavailable', `${what} is not running`, 503)
export const recorderOf = (o: OpsApiDeps) => (o.series?.record ? (o.series as PointRecorder) : undefined)

/** The agent's registry row; 404 when there is none. */
export async function knownAgent(db: Db, agent: string) {
  const row = await db
    .selectFrom('agents')
    .select(['id', 'revoked_at'])
    .where('id', '=', agent)
    .executeTakeFirst()
  if (row === undefined) throw notFound(`agent '${agent}'`)
  return row
}

export const opsAgentRoutes: FastifyPluginAsyncTypebox<OpsAgentOptions> = async (app, o) => {
  const session = newMessageId().slice(0, 16)
  let seq = 0
  const with503 = { ...errorResponses, 409: ErrorSchema, 503: ErrorSchema }

  const recorder = () => recorderOf(o)

  const known = (agent: string) => knownAgent(o.db, agent)

  app.get(
    '/agents/:agent/timeline',
    {
      schema: {
        params: OpsParams,
        querystring: TimelineQuery,
        response: { 200: TimelineResponse, ...errorResponses },
      },
    },
    async (request) => {
      const limit = Number(request.query.limit ?? 200)
      if (limit < 1 || limit > 500) throw new RelaisError('invalid_request', 'limit must be from 1 to 500')
      const agent = request.params.agent
      // The last week of connects, disconnects and ops actions from the time series.
      const to = Date.now() + 1
      const links =
        o.series && (await historyEntries(o.series, agent, to - 7 * 24 * HOUR, to, limit, request.log))
      const entries = await agentTimeline(o.db, o.availability, agent, limit, links)
      if (entries === undefined) throw notFound(`agent '${agent}'`)
      return { agent, entries }
    },
  )

  app.get(
    '/agents/:agent/health',
    {
      schema: {
        params: OpsParams,
        querystring: HealthQuery,
        response: { 200: HealthSeriesResponse, ...with503 },
      },
    },
    async (request) => {
      const agent = request.params.agent
      await known(agent)
      if (o.series === undefined) throw unavailable('the time series')
      const q = request.query
      const to = q.until === undefined ? Date.now() + 1 : Number(q.until)
      const from = q.since === undefined ? to - 6 * HOUR : Number(q.since)
      if (from >= to) throw new RelaisError('invalid_request', 'since must be before until')
      const fields = [...new Set(q.field.split(','))]
      // About 240 buckets whatever the range: enough for a chart's width, never a raw dump of weeks.
      const everyMs = Math.max(10_000, Math.ceil((to - from) / 240))
      const rows = await readHealth(o.series, {
        agent,
        from,
        to,
        fields,
        everyMs,
        rawRetentionMs: o.healthRawRetentionMs,
        now: Date.now(),
      })
      const points = rows.map((r) => ({
        ts: r.ts,
        values: Object.fromEntries(
          fields.map((f) => [f, typeof r.fields[f] === 'number' ? r.fields[f] : null]),
        ),
      }))
      return { agent, from, to, everyMs, fields, points }
    },
  )

  app.post(
    '/agents/:agent/cmd/:name',
    { schema: { params: CmdParams, body: CmdBody, response: { 202: CmdResponse, ...with503 } } },
    async (request, reply) => {
      const { agent, name } = request.params
      const row = await known(agent)
      if (row.revoked_at !== null) throw new RelaisError('agent_revoked', `agent '${agent}' is revoked`, 409)
      if (o.bus === undefined) throw unavailable('the broker')
      const device = request.body.device
      // status, info, health, config and cmd name topics of the agent itself, never a device.
      if (device !== undefined && !isDeviceId(device))
        throw new RelaisError('invalid_request', `'${device}' cannot be a device id`)
      const env = makeEnvelope({ agent, device, type: name, session, seq: seq++, data: {} })
      // Not retained (contract table): a command is for now; an agent offline never runs it later.
      await o.bus.publish(topics.cmd(agent, name, device), JSON.stringify(env), { qos: 1, retain: false })
      request.log.info({ agent, device, command: name, msgId: env.id }, 'command sent by ops')
      const what = device === undefined ? name : `${name} (${device})`
      recordOpsAction(recorder(), agent, 'command', { what, by: actorOf(request.identity!) })
      reply.status(202)
      const online = o.availability?.get(agent)?.state === 'online' || o.agents?.get(agent)?.online === true
      return { agent, command: name, device: device ?? null, id: env.id, online }
    },
  )
}
