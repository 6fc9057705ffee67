// The web pages: GET /h/:household (the shopping list), /c/:courier (the courier's round), /s/:site
// (the customer's pickups), /z/:zone (who is present), /m/:member (a member's data) and /ops (the fleet,
// for ops staff) serve an HTML shell each, and /static/* their scripts, styles and icon.
// A shell holds no data, so it needs no token and is the same for every household, courier or site (an
// unknown one gets it too: answering 404 would tell strangers which exist). The page reads its token
// from the URL fragment, which browsers never send to a server or its logs, and calls the JSON API
// with it as a bearer token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@relais/hardware'
import { Type } from '@sinclair/typebox'
import { ErrorSchema, HouseholdParams } from '../schemas.js'
import { DEFAULT_STATIC_DIR, loadPage, type StaticAsset, sendAsset } from '../static-assets.js'

export interface PageRoutesOptions {
  /** Where the pages and their assets live; the sources' static/ folder unless a test says. */
  staticDir?: string
}

// Nothing from elsewhere: no CDN, no inline script or style, no framing (clickjacking on the check-off
// and Collected buttons), no <base> rewriting where the script comes from.
const CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

const Html = Type.String({ description: 'text/html: the page shell, no household data' })
const NotModified = Type.Null({ description: 'the cached copy is current' })

// The pages: each a shell, its path and the files it names. Files shared by pages (icon, live.js) carry the
// same content hash, so they are one URL and one route.
const PAGES = [
  {
    path: '/h/:household',
    params: HouseholdParams,
    html: 'household.html',
    assets: ['household.js', 'household.css', 'icon.svg'],
  },
  {
    // The courier's round. Same reasoning as the household page: one shell for every courier.
    path: '/c/:courier',
    params: Type.Object({ courier: Type.String({ pattern: ID_PATTERN, description: 'courier id' }) }),
    html: 'courier.html',
    assets: ['courier.js', 'pickups.css', 'live.js', 'pickup-text.js', 'round-map.js', 'icon.svg'],
  },
  {
    // The customer's site (a letterbox with a pickup button).
    path: '/s/:site',
    params: Type.Object({ site: Type.String({ pattern: ID_PATTERN, description: 'site id' }) }),
    html: 'site.html',
    assets: ['site.js', 'pickups.css', 'live.js', 'pickup-text.js', 'icon.svg'],
  },
  {
    // A presence zone's staff page: who of its opted-in members is present now.
    path: '/z/:zone',
    params: Type.Object({ zone: Type.String({ pattern: ID_PATTERN, description: 'zone id' }) }),
    html: 'zone.html',
    assets: ['zone.js', 'pickups.css', 'live.js', 'icon.svg'],
  },
  {
    // Ops staff's page: every agent at a glance, one agent's page at /ops#agent=<id> (ops token).
    path: '/ops',
    params: Type.Object({}),
    html: 'ops.html',
    assets: [
      'ops.js',
      'ops-list.js',
      'ops-agent.js',
      'ops-chart.js',
      'ops-text.js',
      'ops.css',
      'pickups.css',
      'live.js',
      'icon.svg',
    ],
  },
  {
    // A member's own page: what is held about them, export and erasure.
    path: '/m/:member',
    params: Type.Object({ member: Type.String({ pattern: ID_PATTERN, description: 'member pseudonym' }) }),
    html: 'member.html',
    assets: ['member.js', 'pickups.css', 'live.js', 'icon.svg'],
  },
]

export const pageRoutes: FastifyPluginAsyncTypebox<PageRoutesOptions> = async (app, opts) => {
  const dir = opts.staticDir ?? DEFAULT_STATIC_DIR
  const assets = new Map<string, StaticAsset>()
  for (const page of PAGES) {
    const loaded = await loadPage(dir, page.html, page.assets)
    for (const a of loaded.assets) assets.set(a.url, a)
    app.get(
      page.path,
      { schema: { params: page.params, response: { 200: Html, 304: NotModified, 400: ErrorSchema } } },
      async (request, reply) => {
        reply
          .header('content-security-policy', CSP)
          // The fragment never leaves the browser, but no page of ours should say where it came from.
          .header('referrer-policy', 'no-referrer')
          .header('x-frame-options', 'DENY')
        return sendAsset(request, reply, loaded.html)
      },
    )
  }

  for (const a of assets.values()) {
    app.get(
      a.url,
      { schema: { response: { 200: Type.String({ description: a.contentType }), 304: NotModified } } },
      async (request, reply) => sendAsset(request, reply, a),
    )
  }
}
