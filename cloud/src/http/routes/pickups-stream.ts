// Server-sent events of pickup changes, for the courier's round page and the customer's site page
// (modelled on events.ts): one `event: <name>` with the PickupChange as data for every committed change
// the filter keeps; the page then re-reads its round or site. A comment every 25 s keeps proxies from
// closing an idle stream; a client that reads nothing is dropped instead of growing memory; the
// listener goes when the client does, and app.close() ends every open stream.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { PickupChange, PickupEvents } from '../../domains/pickups/pickup-events.js'

const MAX_BUFFERED = 256 * 1024

export class PickupStreams {
  private readonly open = new Set<() => void>()

  constructor(
    private readonly events: PickupEvents | undefined,
    private readonly heartbeatMs = 25_000,
  ) {}

  get size(): number {
    return this.open.size
  }

  /** Ends every open stream (the app's preClose). */
  closeAll(): void {
    for (const end of [...this.open]) end()
  }

  /** Hijacks the reply and streams `event: <name>` for every change `keep` accepts. */
  stream(
    request: FastifyRequest,
    reply: FastifyReply,
    name: 'round' | 'pickup',
    keep: (c: PickupChange) => boolean,
    logFields: Record<string, string>,
  ): void {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx would otherwise hold events back
      'x-request-id': request.id,
    })
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(timer)
      this.events?.off('change', onChange)
      this.open.delete(end)
      if (!res.writableEnded) res.end()
      request.log.debug(logFields, 'pickup stream closed')
    }
    const send = (chunk: string) => {
      if (ended) return
      if (res.writableLength > MAX_BUFFERED) {
        request.log.warn(logFields, 'pickup stream client too slow; closing')
        end()
        return
      }
      res.write(chunk)
    }
    const onChange = (c: PickupChange) => {
      if (!keep(c)) return
      const data = {
        requestId: c.requestId,
        siteId: c.siteId,
        courierId: c.courierId,
        roundId: c.roundId,
        state: c.state,
      }
      send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    const timer = setInterval(() => send(': heartbeat\n\n'), this.heartbeatMs)
    this.events?.on('change', onChange)
    this.open.add(end)
    // The response's close: the client went away (or we ended it).
    res.on('close', end)
    res.write('retry: 5000\n: connected\n\n')
  }
}
