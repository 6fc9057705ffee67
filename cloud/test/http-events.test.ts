import { type IncomingMessage, request } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { listenHttp } from '../src/http/server.js'
import { type HttpFixture, httpFixture } from './support/http-app.js'

interface Stream {
  res: IncomingMessage
  /** Resolves with everything received once it contains `text`. */
  until(text: string, timeoutMs?: number): Promise<string>
  received(): string
  close(): void
}

function openStream(port: number, household: string, token: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/households/${household}/events`,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        let buf = ''
        const waiters: Array<() => void> = []
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          buf += d
          for (const w of waiters.splice(0)) w()
        })
        const until = async (text: string, timeoutMs = 3000) => {
          const deadline = Date.now() + timeoutMs
          while (!buf.includes(text)) {
            if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(buf)}`)
            await Promise.race([new Promise<void>((r) => waiters.push(r)), sleep(50)])
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

async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

const t = suite<{ f: HttpFixture; port: number }>(
  'http: event stream',
  {} as { f: HttpFixture; port: number },
)
t.before.each(async (ctx) => {
  ctx.f = await httpFixture({ sseHeartbeatMs: 100 })
  ctx.port = await listenHttp(ctx.f.app, { host: '127.0.0.1', port: 0 })
})
t.after.each(async (ctx) => {
  await ctx.f.close()
})

t('streams a change of the household as `event: change`, and only that household’s', async ({ f, port }) => {
  const item = (await f.scan('home', 'LOOSE-APPLES')).ack.item!.id
  const s = await openStream(port, 'home', f.tokens.home)
  try {
    assert.is(s.res.statusCode, 200)
    assert.match(String(s.res.headers['content-type']), 'text/event-stream')
    assert.is(s.res.headers['cache-control'], 'no-store')
    await s.until(': connected')
    f.events.emit('change', { householdId: 'other', itemId: 'x', reason: 'scan' })
    const patch = await f.app.inject({
      method: 'PATCH',
      url: `/api/households/home/items/${item}`,
      headers: f.auth(f.tokens.home),
      payload: { checked: true },
    })
    assert.is(patch.statusCode, 200)
    const got = await s.until(`"reason":"edit"}\n\n`)
    assert.ok(got.includes(`event: change\ndata: {"itemId":"${item}","reason":"edit"}\n\n`), got)
    assert.not.ok(got.includes('"itemId":"x"'), 'another household’s change leaked')
    f.events.emit('change', { householdId: 'home', reason: 'rename' })
    await s.until('data: {"reason":"rename"}\n\n')
  } finally {
    s.close()
  }
})

t('sends heartbeat comments while idle', async ({ f, port }) => {
  const s = await openStream(port, 'home', f.tokens.ops)
  try {
    await s.until(': heartbeat\n\n', 2000)
  } finally {
    s.close()
  }
})

t('removes its listener when the client goes away', async ({ f, port }) => {
  f.events.removeAllListeners('change') // the fixture's recorder: count the streams' listeners alone
  const before = 0
  const a = await openStream(port, 'home', f.tokens.home)
  const b = await openStream(port, 'home', f.tokens.home)
  await a.until(': connected')
  await b.until(': connected')
  assert.is(f.events.listenerCount('change'), before + 2)
  a.close()
  b.close()
  await eventually(() => f.events.listenerCount('change') === before, 'listeners to be removed')
})

t('app.close() ends open streams instead of waiting for the clients', async ({ f, port }) => {
  const before = f.events.listenerCount('change')
  const s = await openStream(port, 'home', f.tokens.home)
  await s.until(': connected')
  const ended = new Promise<void>((r) => s.res.on('close', () => r()))
  await f.app.close()
  await ended
  assert.is(f.events.listenerCount('change'), before)
})

t(
  'refuses a stream without a token (401), to another household (403), for no household (404)',
  async ({ f, port }) => {
    const none = await fetch(`http://127.0.0.1:${port}/api/households/home/events`)
    assert.is(none.status, 401)
    assert.is(((await none.json()) as { error: string }).error, 'unauthorized')
    const other = await fetch(`http://127.0.0.1:${port}/api/households/home/events`, {
      headers: f.auth(f.tokens.other),
    })
    assert.is(other.status, 403)
    const missing = await fetch(`http://127.0.0.1:${port}/api/households/nobody/events`, {
      headers: f.auth(f.tokens.ops),
    })
    assert.is(missing.status, 404)
    assert.is(((await missing.json()) as { error: string }).error, 'not_found')
    assert.is(f.events.listenerCount('change'), 1) // only the fixture's own recorder
  },
)

t.run()
