// coalesceWrites (broker/write-coalescing.ts): what is written to a connection in one turn of the event
// loop leaves in one write to the kernel, including writes made by separate setImmediate callbacks (as
// Aedes delivers each QoS 1 message), in order, and nothing is left held: a write in a later turn, an
// end() while held, and a peer reading everything back.
import { once } from 'node:events'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { coalesceWrites } from '../src/broker/write-coalescing.js'

interface Pair {
  server: Server
  /** The server's end, coalesced, with its calls into the kernel counted. */
  near: Socket
  far: Socket
  /** Chunks handed to the kernel per call (_write: one, _writev: several). */
  calls: number[]
  received: () => Buffer
}

const t = suite<{ pair: Pair }>('write coalescing')

t.before.each(async (ctx) => {
  const server = createServer({ noDelay: true })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  const accepted = once(server, 'connection')
  const far = createConnection({ host: '127.0.0.1', port, noDelay: true })
  const [near] = (await accepted) as [Socket]
  await once(far, 'connect').catch(() => {})
  const calls: number[] = []
  const writev = near._writev!.bind(near)
  const write = near._write.bind(near)
  near._writev = (chunks, cb) => {
    calls.push(chunks.length)
    writev(chunks, cb)
  }
  near._write = (chunk, enc, cb) => {
    calls.push(1)
    write(chunk, enc, cb)
  }
  const parts: Buffer[] = []
  far.on('data', (d: Buffer) => parts.push(d))
  coalesceWrites(near)
  ctx.pair = { server, near, far, calls, received: () => Buffer.concat(parts) }
})

t.after.each(async ({ pair }) => {
  pair.near.destroy()
  pair.far.destroy()
  await new Promise((r) => pair.server.close(r))
})

const turn = () => new Promise((r) => setImmediate(r))

async function receivedAll(pair: Pair, bytes: number): Promise<Buffer> {
  const until = Date.now() + 5000
  while (pair.received().length < bytes && Date.now() < until) await new Promise((r) => setTimeout(r, 5))
  return pair.received()
}

const packet = (i: number) => Buffer.from(`packet ${String(i).padStart(3, '0')};`)
const expected = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => packet(i)))

t('the writes of one turn leave in one call, in order', async ({ pair }) => {
  for (let i = 0; i < 50; i++) pair.near.write(packet(i))
  assert.equal(pair.calls, [], 'nothing handed to the kernel before the turn ends')
  await turn()
  assert.equal(pair.calls, [50])
  assert.equal((await receivedAll(pair, expected(50).length)).toString(), expected(50).toString())
})

t('writes made by separate immediates (one per delivery) are held together', async ({ pair }) => {
  await new Promise<void>((resolve) => {
    for (let i = 0; i < 20; i++) setImmediate(() => pair.near.write(packet(i)))
    setImmediate(resolve)
  })
  await turn()
  await turn()
  assert.equal(pair.calls, [20])
  assert.equal((await receivedAll(pair, expected(20).length)).toString(), expected(20).toString())
})

t('a later turn starts a new hold; nothing stays behind', async ({ pair }) => {
  pair.near.write(packet(0))
  pair.near.write(packet(1))
  await turn()
  await new Promise((r) => setTimeout(r, 20))
  pair.near.write(packet(2))
  await turn()
  assert.equal(pair.calls, [2, 1])
  assert.equal((await receivedAll(pair, expected(3).length)).toString(), expected(3).toString())
})

t('end() while held sends what was held, then the end', async ({ pair }) => {
  for (let i = 0; i < 5; i++) pair.near.write(packet(i))
  const ended = once(pair.far, 'end')
  pair.near.end()
  await ended
  assert.equal(pair.received().toString(), expected(5).toString())
})

t.run()
