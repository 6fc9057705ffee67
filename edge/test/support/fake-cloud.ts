// A stand-in for the cloud in edge tests: a real Aedes broker on a loopback port that records what the
// agent publishes and answers scan events with acks (or not, when a test wants silence). Edge tests may
// not import the cloud package (the import arrows), and need none of its storage.
import { createServer, type Server } from 'node:net'
import { type Envelope, filters, makeEnvelope, topics } from '@relais/hardware'
import { Aedes } from 'aedes'

export interface Published {
  topic: string
  retain: boolean
  qos: number
  message: Envelope
}

export class FakeCloud {
  aedes?: Aedes
  server?: Server
  port = 0
  readonly published: Published[] = []
  /** The outcome to answer each scan with; undefined = no ack. */
  answer: (e: Envelope) => Record<string, unknown> | undefined = () => ({ outcome: 'added' })
  readonly events: Envelope[] = []
  private seq = 0

  async start(port = 0): Promise<void> {
    const aedes = await Aedes.createBroker()
    this.aedes = aedes
    aedes.on('publish', (packet, client) => {
      if (!client) return
      const message = JSON.parse(packet.payload.toString()) as Envelope
      this.published.push({ topic: packet.topic, retain: packet.retain, qos: packet.qos, message })
    })
    aedes.subscribe(
      filters.allEvents(),
      (packet, cb) => {
        const e = JSON.parse(String(packet.payload)) as Envelope
        this.events.push(e)
        const data = this.answer(e)
        if (data) {
          const ack = makeEnvelope({
            agent: e.agent,
            device: e.device,
            type: 'ack',
            session: 'fake',
            seq: this.seq++,
            corr: e.id,
            data,
          })
          aedes.publish(
            {
              cmd: 'publish',
              topic: topics.cmd(e.agent, 'ack', e.device),
              payload: Buffer.from(JSON.stringify(ack)),
              qos: 1,
              retain: false,
              dup: false,
            },
            () => {},
          )
        }
        cb()
      },
      () => {},
    )
    this.server = createServer({ noDelay: true }, (s) => aedes.handle(s))
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()))
    this.port = (this.server.address() as { port: number }).port
  }

  /** Stops the broker (clients see the connection drop); start(port) brings it back on the same port. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server?.close(() => r()))
    await new Promise<void>((r) => (this.aedes ? this.aedes.close(() => r()) : r()))
    await closed
  }

  on(topic: string): Published[] {
    return this.published.filter((p) => p.topic === topic)
  }
}
