// Listening is separate from building (app.ts): the composition root calls this once, tests never do
// unless they need a real socket (server-sent events).
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { RelaisError } from '../lib/errors.js'

export interface HttpListenOptions {
  host: string
  port: number
}

/** Listens and returns the bound port (the real one when asked for port 0). */
export async function listenHttp(app: FastifyInstance, opts: HttpListenOptions): Promise<number> {
  try {
    await app.listen({ host: opts.host, port: opts.port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new RelaisError(
        'http_port_in_use',
        `HTTP port ${opts.port} on ${opts.host} is already in use; set RELAIS_HTTP_PORT to a free port`,
        500,
      )
    }
    if (code === 'EACCES') {
      throw new RelaisError(
        'http_port_denied',
        `not allowed to listen on HTTP port ${opts.port}; set RELAIS_HTTP_PORT to a port above 1023`,
        500,
      )
    }
    throw err
  }
  return (app.server.address() as AddressInfo).port
}
