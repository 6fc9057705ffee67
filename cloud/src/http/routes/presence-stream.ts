// Server-sent events of one zone's enters and leaves, for its staff page (modelled on
// pickups-stream.ts): `event: enter` / `event: leave` with { member, at, agent, device }; the page then
// re-reads who is present. A comment every 25 s keeps proxies from closing an idle stream; a client that
// reads nothing is dropped; the listener goes when the client does, and app.close() ends every stream.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { PresenceClosed, PresenceEvents } from '../../domains/presence/presence-events.js'
import type { PresenceEffect } from '../../domains/presence/presence-handler.js'

const MAX_BUFFERED = 256 * 1024

export class PresenceStreams {
  private readonly open = new Set<() => void>()

  constructor(
    private readonly events: PresenceEvents | undefined,
    private readonly heartbeatMs = 25_000,
  ) {}

  closeAll(): void {
    for (const end of [...this.open]) end()
  }

  stream(request: FastifyRequest, reply: FastifyReply, zone: string): void {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
    })
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      clearInterval(timer)
      this.events?.off('presence', onChange)
      this.events?.off('closed', onClosed)
      this.open.delete(end)
      if (!res.writableEnded) res.end()
      request.log.debug({ zone }, 'presence stream closed')
    }
    const send = (chunk: string) => {
      if (ended) return
      if (res.writableLength > MAX_BUFFERED) {
        request.log.warn({ zone }, 'presence stream client too slow; closing')
        end()
        return
      }
      res.write(chunk)
    }
    const onChange = (e: PresenceEffect) => {
      if (e.zone !== zone) return
      const data = { member: e.member, at: e.at, agent: e.agent, device: e.device }
      send(`event: ${e.kind}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    // A stay the cloud closed (revocation, expiry, erasure) leaves the page like a reader's leave.
    const onClosed = (c: PresenceClosed) => {
      if (c.zone !== zone) return
      send(
        `event: leave\ndata: ${JSON.stringify({ member: c.member ?? null, at: c.at, reason: c.reason })}\n\n`,
      )
    }
    const timer = setInterval(() => send(': heartbeat\n\n'), this.heartbeatMs)
    this.events?.on('presence', onChange)
    this.events?.on('closed', onClosed)
    this.open.add(end)
    res.on('close', end)
    res.write('retry: 5000\n: connected\n\n')
  }
}
