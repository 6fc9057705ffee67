// Bearer tokens (DESIGN.md: "no route without one"). Registered inside the /api scope, it puts a hook on
// every route there: the token must exist and be unrevoked (401), then the route decides who may reach
// it (403 otherwise). Closed by default:
//   - an ops token reaches every route;
//   - a route naming `:household` is open to that household's token (and ops), as before;
//   - a route may open itself to couriers or sites with `config: { access: { courier, site } }`:
//       courier 'any'   every courier token (staff: e.g. a site's page, to know where to go);
//       courier 'self'  the courier token of `:courier`; on a `:pickup` route, a courier reaches a
//                       request on one of its own rounds, at a site assigned to it (sites.courier_id),
//                       or an open request on no round yet (nobody plans it: whoever is there may take
//                       it). Never an open stop of another courier's round: that is ops' call.
//       site 'self'     the site token of `:site`; on a `:pickup` route, a request of its own site.
//   - presence routes open themselves with `{ zone: 'self' }` (the zone token of `:zone`: its staff) and
//     `{ member: 'self' }` (the member token of `:member`: a member reaches only their own data).
//   - anything else, and every route that declares nothing, needs an ops token.
// Household tokens reach only household routes. For a `:pickup` a non-ops token may not reach, an
// unknown id and another's id get the same 403, so a token cannot probe which requests exist.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { findToken, type TokenIdentity } from '../domains/tokens/tokens.js'
import { RelaisError } from '../lib/errors.js'
import type { Db } from '../storage/db.js'

export interface RouteAccess {
  courier?: 'self' | 'any'
  site?: 'self'
  zone?: 'self'
  member?: 'self'
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, set by the bearer hook before any handler in the /api scope runs. */
    identity?: TokenIdentity
  }
  interface FastifyContextConfig {
    /** Who besides ops may reach the route (see auth.ts); nothing: ops only. */
    access?: RouteAccess
  }
}

export const unauthorized = (message: string) => new RelaisError('unauthorized', message, 401)
export const forbidden = (message: string) => new RelaisError('forbidden', message, 403)

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_\-.~+/]+=*)[ \t]*$/i

export function mayReachHousehold(identity: TokenIdentity, householdId: string): boolean {
  if (identity.scope === 'ops') return true
  return identity.scope === 'household' && identity.householdId === householdId
}

/** Who did it, as transitions record it: `ops:<token id>`, `courier:<id>`, `site:<id>`. */
export function actorOf(identity: TokenIdentity): string {
  if (identity.scope === 'courier' && identity.courierId !== null) return `courier:${identity.courierId}`
  if (identity.scope === 'site' && identity.siteId !== null) return `site:${identity.siteId}`
  if (identity.scope === 'member' && identity.memberId !== null) return `member:${identity.memberId}`
  if (identity.scope === 'zone' && identity.zoneId !== null) return `zone:${identity.zoneId}`
  return `${identity.scope}:${identity.tokenId}`
}

export async function authenticate(db: Db, request: FastifyRequest): Promise<TokenIdentity> {
  const header = request.headers.authorization
  if (header === undefined || header === '')
    throw unauthorized('missing bearer token (Authorization: Bearer <token>)')
  const m = BEARER.exec(header)
  if (!m) throw unauthorized('the Authorization header must be "Bearer <token>"')
  const identity = await findToken(db, m[1]!)
  if (!identity) throw unauthorized('unknown or revoked token')
  return identity
}

const OPEN_STATES = ['requested', 'scheduled'] as const

/** The courier rule for a pickup (see the top of this file). */
async function courierServesPickup(db: Db, courierId: string, requestId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pickup_requests as pr')
    .leftJoin('rounds as r', 'r.id', 'pr.round_id')
    .innerJoin('sites as s', 's.id', 'pr.site_id')
    .select('pr.id')
    .where('pr.id', '=', requestId)
    .where((eb) =>
      eb.or([
        eb('r.courier_id', '=', courierId),
        eb('s.courier_id', '=', courierId),
        eb.and([eb('pr.round_id', 'is', null), eb('pr.state', 'in', OPEN_STATES)]),
      ]),
    )
    .executeTakeFirst()
  return row !== undefined
}

async function siteOwnsPickup(db: Db, siteId: string, requestId: string): Promise<boolean> {
  const row = await db
    .selectFrom('pickup_requests')
    .select('id')
    .where('id', '=', requestId)
    .where('site_id', '=', siteId)
    .executeTakeFirst()
  return row !== undefined
}

type Params = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Whether a courier or site token reaches a route that declared `access`. */
export async function mayReach(
  db: Db,
  identity: TokenIdentity,
  access: RouteAccess,
  params: Params,
): Promise<boolean> {
  if (identity.scope === 'ops') return true
  const pickup = str(params.pickup)
  if (identity.scope === 'courier' && identity.courierId !== null && access.courier !== undefined) {
    if (access.courier === 'any') return true
    const courier = str(params.courier)
    if (courier !== undefined) return courier === identity.courierId
    if (pickup !== undefined) return courierServesPickup(db, identity.courierId, pickup)
    return false
  }
  if (identity.scope === 'zone' && identity.zoneId !== null && access.zone === 'self')
    return str(params.zone) === identity.zoneId
  if (identity.scope === 'member' && identity.memberId !== null && access.member === 'self')
    return str(params.member) === identity.memberId
  if (identity.scope === 'site' && identity.siteId !== null && access.site === 'self') {
    const site = str(params.site)
    if (site !== undefined) return site === identity.siteId
    if (pickup !== undefined) return siteOwnsPickup(db, identity.siteId, pickup)
  }
  return false
}

function denial(access: RouteAccess | undefined, params: Params): string {
  if (access === undefined) return 'this route needs an ops token'
  for (const key of ['courier', 'site', 'pickup', 'zone', 'member'] as const) {
    const v = str(params[key])
    if (v !== undefined) return `this token may not reach ${key} '${v}'`
  }
  return 'this token may not reach this route'
}

async function bearerAuth(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  app.decorateRequest('identity', undefined)
  // onRequest: before the body is read or validated, so a caller without a token (or without the right
  // to the route) learns nothing about what a valid body looks like, and a bad body changes nothing.
  app.addHook('onRequest', async (request) => {
    const identity = await authenticate(opts.db, request)
    request.identity = identity
    const params = (request.params ?? {}) as Params
    const household = params.household
    if (typeof household === 'string') {
      if (!mayReachHousehold(identity, household)) {
        throw forbidden(`this token may not reach household '${household}'`)
      }
    } else if (identity.scope !== 'ops') {
      const access = request.routeOptions.config?.access
      if (access === undefined || !(await mayReach(opts.db, identity, access, params))) {
        throw forbidden(denial(access, params))
      }
    }
    request.log.debug({ tokenId: identity.tokenId, scope: identity.scope }, 'authenticated')
  })
}
// Not encapsulated (what fastify-plugin does): the hook covers the routes of the scope that registers it.
Object.assign(bearerAuth, { [Symbol.for('skip-override')]: true })

export { bearerAuth }
