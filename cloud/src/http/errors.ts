// The one error handler: every failure leaves as `{ error: <stable code>, message }`. Our own errors keep
// their code and status, validation failures name the field, and anything unexpected is logged with the
// request id and answered with a bare 500, so a stack or a SQL message never reaches a client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RelaisError } from '../lib/errors.js'
import type { ErrorBody } from './schemas.js'

interface AjvError {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

/** `body.quantity must be >= 1`, `body.colour is not an accepted field`, `body.name is required`. */
export function describeValidation(context: string, e: AjvError): { field: string; message: string } {
  const path = e.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  const at = (extra?: unknown) =>
    [context, ...path, ...(extra === undefined ? [] : [String(extra)])].join('.')
  switch (e.keyword) {
    case 'required':
      return { field: at(e.params.missingProperty), message: `${at(e.params.missingProperty)} is required` }
    case 'additionalProperties':
      return {
        field: at(e.params.additionalProperty),
        message: `${at(e.params.additionalProperty)} is not an accepted field`,
      }
    case 'minProperties':
      return { field: at(), message: `${at()} must name at least one field` }
    case 'pattern':
      // The pattern itself means nothing to a caller; the field name and the value's rule do.
      return { field: at(), message: `${at()} has an invalid format` }
    default:
      return { field: at(), message: `${at()} ${e.message ?? 'is invalid'}` }
  }
}

// Fastify's own 4xx errors (bad JSON, empty JSON body, unsupported media type, body too large).
const FASTIFY_CODES: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
}

function reply(res: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (status === 401) res.header('www-authenticate', 'Bearer realm="relais"')
  return res.status(status).send(body)
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, res: FastifyReply) => {
    if (err instanceof RelaisError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed')
      return reply(res, err.status, { error: err.code, message: err.message })
    }
    if (err.validation && err.validation.length > 0) {
      const d = describeValidation(err.validationContext ?? 'request', err.validation[0] as AjvError)
      return reply(res, 400, { error: 'invalid_request', message: d.message, field: d.field })
    }
    const status = err.statusCode ?? 500
    if (status >= 400 && status < 500 && err.code?.startsWith('FST_')) {
      return reply(res, status, { error: FASTIFY_CODES[status] ?? 'invalid_request', message: err.message })
    }
    request.log.error({ err }, 'unhandled error')
    return reply(res, 500, { error: 'internal', message: 'internal error' })
  })

  app.setNotFoundHandler((request, res) =>
    reply(res, 404, {
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  )
}
