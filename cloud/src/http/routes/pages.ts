// The household page: GET /h/:household serves an HTML shell and /static/* its script, style and icon.
// The shell holds no data, so it needs no token and is the same for every household (an unknown one
// gets it too: answering 404 would tell strangers which households exist). The page reads its token
// from the URL fragment, which browsers never send to a server or its logs, and calls the JSON API
// with it as a bearer token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ErrorSchema, HouseholdParams } from '../schemas.js'
import { DEFAULT_STATIC_DIR, loadPage, sendAsset } from '../static-assets.js'

export interface PageRoutesOptions {
  /** Where household.html and its assets live; the sources' static/ folder unless a test says. */
  staticDir?: string
}

// Nothing from elsewhere: no CDN, no inline script or style, no framing (clickjacking on the check-off
// buttons), no <base> rewriting where the script comes from.
const CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

const Html = Type.String({ description: 'text/html: the page shell, no household data' })
const NotModified = Type.Null({ description: 'the cached copy is current' })

export const pageRoutes: FastifyPluginAsyncTypebox<PageRoutesOptions> = async (app, opts) => {
  const { html, assets } = await loadPage(opts.staticDir ?? DEFAULT_STATIC_DIR, 'household.html', [
    'household.js',
    'household.css',
    'icon.svg',
  ])

  app.get(
    '/h/:household',
    { schema: { params: HouseholdParams, response: { 200: Html, 304: NotModified, 400: ErrorSchema } } },
    async (request, reply) => {
      reply
        .header('content-security-policy', CSP)
        // The fragment never leaves the browser, but no page of ours should say where it came from.
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY')
      return sendAsset(request, reply, html)
    },
  )

  for (const a of assets) {
    app.get(
      a.url,
      { schema: { response: { 200: Type.String({ description: a.contentType }), 304: NotModified } } },
      async (request, reply) => sendAsset(request, reply, a),
    )
  }
}
