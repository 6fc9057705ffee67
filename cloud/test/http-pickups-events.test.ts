// The courier's and the site's event streams over a real socket: only the changes that touch that
// courier (`event: round`) or that site (`event: pickup`), heartbeats, an unknown courier or site a JSON
// 404 before the stream starts, and no listener left once the client goes or the app closes.
import { type IncomingMessage, request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { PickupChange } from '../src/domains/pickups/pickup-events.js'
import { listenHttp } from '../src/http/server.js'
import { type PickupsFixture, pickupsFixture } from './support/pickups-api.js'

interface Stream {
  res: IncomingMessage
  until(text: string, timeoutMs?: number): Promise<string>
  received(): string
  close(): void
}

function openStream(port: number, path: string, token: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        let buf = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          buf += d
        })
        const until = async (text: string, timeoutMs = 10_000) => {
          const deadline = Date.now() + timeoutMs
          while (!buf.includes(text)) {
            if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(buf)}`)
            await sleep(10)
          }
          return buf
        }
        resolve({ res, until, received: () => buf, close: () => req.destroy() })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

const change = (c: Partial<PickupChange> & { requestId: string }): PickupChange => ({
  siteId: 's1',
  courierId: 'c1',
  roundId: 'round-c1',
  state: 'scheduled',
  ...c,
})

const t = suite<{ f: PickupsFixture; port: number }>(
  'http: pickups event streams',
  {} as { f: PickupsFixture; port: number },
)
t.before.each(async (ctx) => {
  ctx.f = await pickupsFixture({ sseHeartbeatMs: 100 })
  ctx.port = await listenHttp(ctx.f.app, { host: '127.0.0.1', port: 0 })
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

t(
  'a courier’s stream carries `event: round` for its own changes only, with heartbeats',
  async ({ f, port }) => {
    const s = await openStream(port, '/api/couriers/c1/events', f.tokens.c1)
    try {
      assert.is(s.res.statusCode, 200)
      assert.match(String(s.res.headers['content-type']), 'text/event-stream')
      await s.until(': connected')
      f.events.emit('change', change({ requestId: 'other', courierId: 'c2', siteId: 's2' }))
      f.events.emit('change', change({ requestId: 'req-1' }))
      const got = await s.until('"requestId":"req-1"')
      assert.not.match(got, '"requestId":"other"')
      assert.match(
        got,
        'event: round\ndata: {"requestId":"req-1","siteId":"s1","courierId":"c1","roundId":"round-c1","state":"scheduled"}\n\n',
      )
      await s.until(': heartbeat')
    } finally {
      s.close()
    }
  },
)

t(
  'a site’s stream carries `event: pickup` for that site only; a courier action arrives live',
  async ({ f, port }) => {
    const s = await openStream(port, '/api/sites/s1/events', f.tokens.s1)
    try {
      await s.until(': connected')
      f.events.emit('change', change({ requestId: 'req-2', siteId: 's2', courierId: 'c2' }))
      const res = await f.app.inject({
        method: 'POST',
        url: '/api/pickups/req-1/collected',
        headers: f.auth(f.tokens.c1),
        payload: {},
      })
      assert.is(res.statusCode, 200)
      const got = await s.until('"state":"collected"')
      assert.match(got, 'event: pickup\ndata: {"requestId":"req-1","siteId":"s1"')
      assert.not.match(got, 'req-2')
    } finally {
      s.close()
    }
  },
)

t('an unknown courier or site is a JSON 404 before any stream starts', async ({ f, port }) => {
  for (const path of ['/api/couriers/c7/events', '/api/sites/s7/events']) {
    const s = await openStream(port, path, f.tokens.ops)
    assert.is(s.res.statusCode, 404, path)
    await s.until('"error":"not_found"')
    s.close()
  }
  assert.is(f.events.listenerCount('change'), 0)
})

t('the listener goes with the client, and app.close() ends open streams', async ({ f, port }) => {
  const streams = await Promise.all([
    openStream(port, '/api/couriers/c1/events', f.tokens.c1),
    openStream(port, '/api/couriers/c2/events', f.tokens.c2),
    openStream(port, '/api/sites/s1/events', f.tokens.c2),
  ])
  for (const s of streams) await s.until(': connected')
  assert.is(f.events.listenerCount('change'), 3)
  streams[0]!.close()
  await eventually(() => f.events.listenerCount('change') === 2, 'the closed stream’s listener to go')
  const ended = Promise.all(streams.slice(1).map((s) => new Promise((r) => s.res.on('end', r))))
  await f.app.close()
  await ended
  assert.is(f.events.listenerCount('change'), 0)
})

t.run()
