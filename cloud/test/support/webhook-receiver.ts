// A webhook receiver for tests: a real HTTP server on a loopback port that checks every delivery as a
// receiver should (signature over the raw body, timestamp window, dedupe by delivery id), can refuse
// the next N deliveries, hang, go away and come back on the same port.

import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TransitionNotice } from '../../src/domains/pickups/transitions.js'
import { verifyWebhook } from '../../src/domains/pickups/webhooks/signature.js'

export interface Received {
  delivery: string
  notice: TransitionNotice
  timestamp: number
}

export class WebhookReceiver {
  port = 0
  /** Deliveries accepted (2xx), in arrival order, each id once. */
  readonly accepted: Received[] = []
  /** Ids accepted more than once (a receiver would drop the repeat). */
  readonly repeats: string[] = []
  /** Every attempt that reached the server: id and the status answered. */
  readonly attempts: Array<{ delivery: string; status: number }> = []
  /** Deliveries whose signature or timestamp did not check out. */
  readonly rejected: string[] = []
  /** Refuse this many of the next deliveries with `failStatus`. */
  failNext = 0
  failStatus = 503
  retryAfter?: string
  /** Refuse (503) the deliveries this says to, e.g. those of one request. */
  refuse?: (notice: TransitionNotice) => boolean
  /** Never answer (the dispatcher's timeout must end the attempt). */
  hang = false
  private server?: Server
  private sockets = new Set<Socket>()

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/relais`
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const v = verifyWebhook(this.secret, req.headers, raw)
        const delivery = String(req.headers['x-relais-delivery'] ?? '')
        if (!v.ok || req.headers['content-type'] !== 'application/json') {
          this.rejected.push(delivery)
          this.attempts.push({ delivery, status: 401 })
          res.writeHead(401).end()
          return
        }
        if (this.hang) return
        const refused = this.refuse?.(JSON.parse(raw) as TransitionNotice) === true
        if (this.failNext > 0 || refused) {
          if (!refused) this.failNext--
          this.attempts.push({ delivery, status: this.failStatus })
          res
            .writeHead(this.failStatus, this.retryAfter ? { 'retry-after': this.retryAfter } : {})
            .end('busy')
          return
        }
        this.attempts.push({ delivery, status: 204 })
        if (this.accepted.some((a) => a.delivery === v.delivery)) this.repeats.push(v.delivery)
        else this.accepted.push({ delivery: v.delivery, notice: JSON.parse(raw), timestamp: v.timestamp })
        res.writeHead(204).end()
      })
    })
    server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Goes away: refuses connections until start() again (same port). */
  async stop(): Promise<void> {
    const s = this.server
    this.server = undefined
    if (!s) return
    for (const sock of this.sockets) sock.destroy()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  /** The accepted notices of one request, in arrival order. */
  of(requestId: string): TransitionNotice[] {
    return this.accepted.filter((a) => a.notice.request.id === requestId).map((a) => a.notice)
  }
}
