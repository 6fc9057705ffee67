// Bearer tokens (DESIGN.md: "no route without one"). Registered inside the /api scope, it puts a hook on
// every route there: the token must exist and be unrevoked (401), and a route naming a household may be
// reached by that household's token or an ops token (403 otherwise). Routes without a household are
// ops-only until a route says otherwise, so a new route is closed by default.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { findToken, type TokenIdentity } from '../domains/tokens/tokens.js'
import { RelaisError } from '../lib/errors.js'
import type { Db } from '../storage/db.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, set by the bearer hook before any handler in the /api scope runs. */
    identity?: TokenIdentity
  }
}

export const unauthorized = (message: string) => new RelaisError('unauthorized', message, 401)
export const forbidden = (message: string) => new RelaisError('forbidden', message, 403)

const BEARER = /^Bearer[ \t]+([A-Za-z0-9_\-.~+/]+=*)[ \t]*$/i

export function mayReachHousehold(identity: TokenIdentity, householdId: string): boolean {
  if (identity.scope === 'ops') return true
  return identity.scope === 'household' && identity.householdId === householdId
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

async function bearerAuth(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  app.decorateRequest('identity', undefined)
  // onRequest: before the body is read or validated, so a caller without a token learns nothing.
  app.addHook('onRequest', async (request) => {
    const identity = await authenticate(opts.db, request)
    request.identity = identity
    const household = (request.params as { household?: unknown } | undefined)?.household
    if (typeof household === 'string') {
      if (!mayReachHousehold(identity, household)) {
        throw forbidden(`this token may not reach household '${household}'`)
      }
    } else if (identity.scope !== 'ops') {
      throw forbidden('this route needs an ops token')
    }
    request.log.debug({ tokenId: identity.tokenId, scope: identity.scope }, 'authenticated')
  })
}
// Not encapsulated (what fastify-plugin does): the hook covers the routes of the scope that registers it.
Object.assign(bearerAuth, { [Symbol.for('skip-override')]: true })

export { bearerAuth }
