// Coalesces a connection's writes to one syscall per turn of the event loop. Aedes writes every packet
// on its own: mqtt-packet corks the socket only until the next tick, and each QoS 1 delivery runs in
// its own setImmediate, so the acks of one committed batch (~150 events, a dozen per device) each
// cost a writev, and on loopback each writev also runs the peer's TCP receive path on this thread.
// Held until the end of the turn, they leave in one write per connection. At saturation in
// `npm run bench:ingest` (10 clients), with Aedes' concurrency raised too (broker.ts): 1.04 writev an
// event became 0.08, and the broker's thread spent 31 µs an event instead of 37 (about 3 of the 6
// from this file, in paired runs). The cost is at most one turn of the loop of added latency.
import type { Duplex } from 'node:stream'

/**
 * Makes `socket` cork at its first write of a turn and uncork at the turn's end (setImmediate: after
 * the poll phase's reads, or, for a write made by an immediate, after the next turn's), so everything
 * written meanwhile goes out together. Ending or destroying the socket flushes or drops the rest as
 * usual.
 */
export function coalesceWrites<S extends Duplex>(socket: S): S {
  let held = false
  const release = () => {
    held = false
    socket.uncork()
  }
  const write = socket.write
  // An own property in front of the prototype's: Aedes and mqtt-packet write through socket.write,
  // and offer no hook of their own.
  socket.write = function (this: S, ...args: Parameters<S['write']>) {
    if (!held) {
      held = true
      socket.cork()
      setImmediate(release)
    }
    return write.apply(this, args)
  } as S['write']
  return socket
}
