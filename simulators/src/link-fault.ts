// A fault generator for one device's network: a loopback TCP proxy in front of the broker that can be
// cut. Cut, it resets every open connection and every new one, as a dead router does; the agent behind
// it sees the broker unreachable (its own reconnect and back-off, its outbox) while the others carry on.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

export class LinkFault {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private cut = false
  port = 0

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenPort = 0,
  ) {}

  /** The URL to give the device instead of the broker's. */
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`
  }

  get isCut(): boolean {
    return this.cut
  }

  async start(): Promise<void> {
    const server = createServer({ noDelay: true }, (client) => {
      if (this.cut) return void client.destroy()
      const upstream = tcpConnect({ host: this.target.host, port: this.target.port, noDelay: true })
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.on('close', () => this.sockets.delete(s))
        s.on('error', () => {}) // the other side's close ends this one below
      }
      client.pipe(upstream)
      upstream.pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.listenPort, '127.0.0.1', () => resolve())
    })
    const addr = server.address()
    if (addr === null || typeof addr === 'string') throw new Error('link fault: no port')
    this.port = addr.port
  }

  /** The network goes down: open connections are reset, new ones refused. */
  down(): void {
    this.cut = true
    for (const s of this.sockets) s.resetAndDestroy()
  }

  /** The network is back. */
  up(): void {
    this.cut = false
  }

  async stop(): Promise<void> {
    this.down()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
