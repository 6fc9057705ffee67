// The web pages' static files, read once at startup and held in memory (a few kilobytes; no disk read
// per request, and a file edited on a running server cannot half-change a page). Assets get a content
// hash in their URL so browsers may keep them for a year; the HTML shell names them by that URL and is
// revalidated on every load (ETag), so a new release is picked up at once.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface StaticAsset {
  /** The path it is served at, e.g. /static/household.3f2a9c1b.js */
  url: string
  body: Buffer
  contentType: string
  etag: string
  cacheControl: string
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url))

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}
const IMMUTABLE = 'public, max-age=31536000, immutable'

const digest = (body: Buffer) => createHash('sha256').update(body).digest('base64url')

function asset(url: string, body: Buffer, cacheControl: string): StaticAsset {
  return {
    url,
    body,
    contentType: TYPES[extname(url.split('?')[0]!)] ?? 'application/octet-stream',
    etag: `"${digest(body).slice(0, 22)}"`,
    cacheControl,
  }
}

/**
 * Reads `assets` (hashed, long-lived) and `page` (an HTML template naming each asset as `{{file}}`),
 * and returns the assets plus the page with the hashed URLs filled in.
 */
export async function loadPage(
  dir: string,
  page: string,
  assets: string[],
): Promise<{ html: StaticAsset; assets: StaticAsset[] }> {
  const loaded: StaticAsset[] = []
  let template = await readFile(join(dir, page), 'utf8')
  for (const file of assets) {
    const body = await readFile(join(dir, file))
    const ext = extname(file)
    const url = `/static/${file.slice(0, -ext.length)}.${digest(body).slice(0, 10)}${ext}`
    loaded.push(asset(url, body, IMMUTABLE))
    template = template.replaceAll(`{{${file}}}`, url)
  }
  const missing = /\{\{[^}]+\}\}/.exec(template)
  if (missing) throw new Error(`${page}: ${missing[0]} names no asset`)
  // no-cache: keep it, but ask each time (a 304 costs a few bytes).
  return { html: asset(`/${page}`, Buffer.from(template), 'no-cache'), assets: loaded }
}

/** True when the request's If-None-Match names this asset's ETag (RFC 9110, 13.1.2: weak comparison). */
function notModified(request: FastifyRequest, a: StaticAsset): boolean {
  const header = request.headers['if-none-match']
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etag)
}

export function sendAsset(request: FastifyRequest, reply: FastifyReply, a: StaticAsset): FastifyReply {
  reply
    .header('etag', a.etag)
    .header('cache-control', a.cacheControl)
    .header('x-content-type-options', 'nosniff')
  if (notModified(request, a)) return reply.code(304).send()
  return reply.header('content-type', a.contentType).send(a.body)
}
