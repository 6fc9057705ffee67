// The baseline: a bare Aedes that only relays. No auth hooks, no validation, no storage; one in-process
// subscriber answers each event with an ack envelope on the sender's `cmd/ack` topic, `corr` = the
// event id. The clients then measure the same round trip as against Relais, so the ratio isolates what
// Relais adds (validation, the SQLite transaction with fsync, dedupe, the time series).
// Run as its own process: `node --import tsx scripts/bench/bare-broker.ts` with BENCH_PORT set.
import { createServer } from 'node:net'
import { makeEnvelope, topics } from '@relais/hardware'
import { Aedes } from 'aedes'

const port = Number(process.env.BENCH_PORT)
if (!Number.isInteger(port) || port <= 0) throw new Error('BENCH_PORT must name a free loopback port')

const aedes = await Aedes.createBroker()
let seq = 0
aedes.subscribe(
  'relais/v1/+/+/event/+',
  (packet, done) => {
    // relais/v1/<agent>/<device>/event/<name>: only the parts needed to address the reply.
    const [, , agent, device] = packet.topic.split('/')
    const { id } = JSON.parse(String(packet.payload)) as { id: string }
    const reply = makeEnvelope({
      agent: agent!,
      device,
      type: 'ack',
      session: 'bare',
      seq: seq++,
      corr: id,
      data: { outcome: 'relayed' },
    })
    aedes.publish(
      {
        cmd: 'publish',
        topic: topics.cmd(agent!, 'ack', device),
        payload: Buffer.from(JSON.stringify(reply)),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => {},
    )
    done()
  },
  () => {},
)

// noDelay as in Relais's broker: Nagle's algorithm would hold each small ack for up to 40 ms.
const server = createServer({ noDelay: true }, (socket) => aedes.handle(socket))
server.listen(port, '127.0.0.1')
process.once('SIGTERM', () => {
  server.close()
  aedes.close(() => process.exit(0))
})
