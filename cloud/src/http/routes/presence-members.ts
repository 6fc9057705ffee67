// Members (DESIGN.md, "Beacon identities are pseudonymous"): registration and beacons (ops), and a
// member's own data: what is held, export, erasure, consents granted and revoked (ops and the member's
// own token; a member reaches only their own data, auth.ts). Every change that alters an allow-list
// pushes the readers' new lists before answering.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { grantConsent, revokeConsent } from '../../domains/presence/consents.js'
import { eraseMember, memberData, PRESENCE_MEASUREMENTS } from '../../domains/presence/member-data.js'
import { addBeacon, createMember, getMember, removeBeacon } from '../../domains/presence/members.js'
import type { ConsentsTable } from '../../storage/presence-schema.js'
import { actorOf } from '../auth.js'
import {
  BeaconBody,
  BeaconParams,
  ConsentBody,
  ConsentParams,
  ConsentSchema,
  EraseResponse,
  MemberBody,
  MemberCreated,
  MemberDataSchema,
  MemberExport,
  MemberParams,
  presenceErrors,
} from '../presence-schemas.js'
import { type PresenceRouteOptions, pushAllowLists } from './presence-deps.js'

const self = { config: { access: { member: 'self' as const } } }

function consentView(c: ConsentsTable) {
  return {
    id: c.id,
    zone: c.zone_id,
    purpose: c.purpose,
    grantedAt: Number(c.granted_at),
    grantedBy: c.granted_by,
    expiresAt: c.expires_at === null ? null : Number(c.expires_at),
    revokedAt: c.revoked_at === null ? null : Number(c.revoked_at),
    revokedBy: c.revoked_by,
  }
}

export const presenceMemberRoutes: FastifyPluginAsyncTypebox<PresenceRouteOptions> = async (app, opts) => {
  const { db, presence } = opts
  const now = () => (presence.now ?? Date.now)()

  app.post(
    '/members',
    { schema: { body: MemberBody, response: { 201: MemberCreated, ...presenceErrors } } },
    async (request, reply) => {
      const r = await createMember(db, request.body, now())
      request.log.info({ member: r.member.id }, 'member registered')
      return reply.code(201).send(r)
    },
  )

  app.get(
    '/members/:member',
    { ...self, schema: { params: MemberParams, response: { 200: MemberDataSchema, ...presenceErrors } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return memberData(db, request.params.member)
    },
  )

  app.get(
    '/members/:member/export',
    { ...self, schema: { params: MemberParams, response: { 200: MemberExport, ...presenceErrors } } },
    async (request, reply) => {
      const data = await memberData(db, request.params.member)
      reply.header('cache-control', 'no-store')
      reply.header('content-disposition', `attachment; filename="relais-${request.params.member}.json"`)
      return { ...data, exportedAt: now() }
    },
  )

  app.delete(
    '/members/:member',
    { ...self, schema: { params: MemberParams, response: { 200: EraseResponse, ...presenceErrors } } },
    async (request) => {
      const member = request.params.member
      const at = now()
      const done = await eraseMember(db, member, actorOf(request.identity!), at)
      request.log.info({ member, again: done.outcome === 'again' }, 'member erased')
      for (const zone of done.openIn) presence.events?.emit('closed', { zone, member, at, reason: 'erased' })
      await pushAllowLists(presence, request.log)
      let timeSeriesErased = false
      try {
        if (presence.series === undefined) throw new Error('no time series')
        await presence.series.delete({ measurements: PRESENCE_MEASUREMENTS, where: { member } })
        timeSeriesErased = true
      } catch (err) {
        request.log.error({ err, member, code: 'timeseries_erase_failed' }, 'member points not erased')
      }
      return { member, erased: true as const, timeSeriesErased }
    },
  )

  app.post(
    '/members/:member/beacons',
    { schema: { params: MemberParams, body: BeaconBody, response: { 201: BeaconBody, ...presenceErrors } } },
    async (request, reply) => {
      await addBeacon(db, request.params.member, request.body.key, now())
      request.log.info({ member: request.params.member }, 'beacon registered')
      await pushAllowLists(presence, request.log)
      return reply.code(201).send({ key: request.body.key })
    },
  )

  app.delete(
    '/members/:member/beacons/:key',
    { ...self, schema: { params: BeaconParams, response: { 204: Type.Null(), ...presenceErrors } } },
    async (request, reply) => {
      await removeBeacon(db, request.params.member, request.params.key)
      request.log.info({ member: request.params.member }, 'beacon removed')
      await pushAllowLists(presence, request.log)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/members/:member/consents',
    {
      ...self,
      schema: {
        params: MemberParams,
        body: ConsentBody,
        response: { 201: ConsentSchema, ...presenceErrors },
      },
    },
    async (request, reply) => {
      await getMember(db, request.params.member)
      const c = await grantConsent(
        db,
        { member: request.params.member, ...request.body, by: actorOf(request.identity!) },
        now(),
      )
      request.log.info({ member: c.member_id, zone: c.zone_id, consent: c.id }, 'consent granted')
      await pushAllowLists(presence, request.log)
      return reply.code(201).send(consentView(c))
    },
  )

  app.delete(
    '/members/:member/consents/:consent',
    { ...self, schema: { params: ConsentParams, response: { 200: ConsentSchema, ...presenceErrors } } },
    async (request) => {
      const c = await revokeConsent(
        db,
        { member: request.params.member, consent: request.params.consent, by: actorOf(request.identity!) },
        now(),
      )
      request.log.info({ member: c.member_id, zone: c.zone_id, consent: c.id }, 'consent revoked')
      presence.events?.emit('closed', {
        zone: c.zone_id,
        member: c.member_id,
        at: Number(c.revoked_at),
        reason: 'revoked',
      })
      await pushAllowLists(presence, request.log)
      return consentView(c)
    },
  )
}
