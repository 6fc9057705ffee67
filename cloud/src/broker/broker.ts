// The embedded MQTT broker: Aedes in the cloud process, a TCP listener (and TLS when configured).
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import type { Feature } from '@relais/hardware'
import { Aedes, type Client } from 'aedes'
import type { SubscribeOptions } from '../ingest/bus.js'
import type { Logger } from '../lib/logger.js'
import type { AccountAuthenticator } from './account-auth.js'
import type { AgentAuthenticator } from './agent-auth.js'
import { type AuthEvents, createAuthHooks, type Identity } from './auth-hooks.js'
import { redisClusterParts } from './cluster.js'
import { matches } from './topic-patterns.js'
import { coalesceWrites } from './write-coalescing.js'

export interface BrokerOptions {
  host: string
  port: number
  tls?: { port: number; cert: string; key: string }
  authenticator: AgentAuthenticator
  /** Integration accounts (Home Assistant, Telegraf, ...); without it only agents connect. */
  accounts?: AccountAuthenticator
  log: Logger
  events?: AuthEvents
  /** RELAIS_REDIS_URL: this node is one of a cluster sharing routing and sessions through Redis. */
  cluster?: { redisUrl: string }
}

export type MessageHandler = (topic: string, payload: Buffer) => void

export class Broker implements Feature {
  readonly name = 'broker'
  private aedesInstance?: Aedes
  private readonly servers: Server[] = []
  private hooks?: ReturnType<typeof createAuthHooks>
  /** Shared subscriptions of a cluster node, served from this node's own clients' publishes. */
  private readonly local = new Set<{ filter: string; handler: MessageHandler }>()
  private clusterParts?: ReturnType<typeof redisClusterParts>
  /** The TCP port actually bound (differs from the option when it was 0). */
  port = 0
  tlsPort = 0

  constructor(private readonly opts: BrokerOptions) {}

  get aedes(): Aedes {
    if (this.aedesInstance === undefined) throw new Error('broker not started')
    return this.aedesInstance
  }

  /** This broker node's id (Aedes'), unique in a cluster. */
  get nodeId(): string {
    return this.aedes.id
  }

  identity(client: Client): Identity | undefined {
    return this.hooks?.identities.get(client)
  }

  /** Live sessions of an agent id or account name, with the identity each authenticated as. */
  sessionsOf(username: string): Array<{ client: Client; identity: Identity }> {
    const hooks = this.hooks
    if (hooks === undefined) return []
    return [...(hooks.sessions.get(username) ?? [])].flatMap((client) => {
      const identity = hooks.identities.get(client)
      return identity === undefined ? [] : [{ client, identity }]
    })
  }

  /** Sessions by kind of identity, for /metrics. */
  sessionCounts(): { agent: number; account: number } {
    const n = { agent: 0, account: 0 }
    for (const set of this.hooks?.sessions.values() ?? [])
      for (const c of set) {
        const id = this.hooks?.identities.get(c)
        if (id !== undefined) n[id.kind]++
      }
    return n
  }

  async start(): Promise<void> {
    const log = this.opts.log
    this.hooks = createAuthHooks(
      { agents: this.opts.authenticator, accounts: this.opts.accounts },
      log,
      this.opts.events,
    )
    const { preConnect, authenticate, authorizePublish, authorizeSubscribe } = this.hooks
    const cluster = this.opts.cluster && redisClusterParts(this.opts.cluster.redisUrl, log)
    this.clusterParts = cluster || undefined
    const aedes = await Aedes.createBroker({
      // How many messages Aedes routes at once; the rest wait in its queue. Its default of 100 is less
      // than one committed batch's acks (RELAIS_INGEST_BATCH_MAX, 500): the acks past the 100th went
      // out one turn of the loop at a time, each in its own write.
      concurrency: 1000,
      preConnect,
      authenticate,
      authorizePublish,
      authorizeSubscribe,
      ...cluster,
      // Called once, on the node the publishing client is connected to, after the message was routed.
      published: (packet, client, done) => {
        if (client !== null && this.local.size > 0) this.deliverLocal(packet.topic, packet.payload)
        done(null)
      },
    })
    this.aedesInstance = aedes
    const hooks = this.hooks
    aedes.on('clientDisconnect', (client) => hooks.forget(client))
    aedes.on('clientError', (client, err) =>
      log.debug({ agent: client.id, err: err.message }, 'client error'),
    )
    aedes.on('connectionError', (client, err) =>
      log.debug({ clientId: client?.id, err: err.message }, 'connection error'),
    )

    // noDelay: acks are small writes; Nagle's algorithm would hold each for up to 40 ms.
    const tcp = createServer({ noDelay: true }, (socket) => aedes.handle(coalesceWrites(socket)))
    this.port = await listen(tcp, this.opts.host, this.opts.port, 'RELAIS_MQTT_PORT')
    this.servers.push(tcp)
    if (this.opts.tls) {
      const tls = createTlsServer(
        {
          cert: readFileSync(this.opts.tls.cert),
          key: readFileSync(this.opts.tls.key),
          noDelay: true,
        } as never,
        (socket) => aedes.handle(coalesceWrites(socket)),
      )
      this.tlsPort = await listen(tls, this.opts.host, this.opts.tls.port, 'RELAIS_MQTTS_PORT')
      this.servers.push(tls)
    }
    log.info({ port: this.port, tlsPort: this.tlsPort || undefined }, 'MQTT broker listening')
  }

  /** Publishes as the cloud itself; resolves when the broker has taken the message. */
  publish(topic: string, payload: string | Buffer, o: { qos: 0 | 1; retain: boolean }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
          qos: o.qos,
          retain: o.retain,
          dup: false,
        },
        (err?: Error | null) => (err ? reject(err) : resolve()),
      ),
    )
  }

  /**
   * An in-process subscription: no network hop, no QoS bookkeeping (the application ack does that).
   * In a cluster a plain subscription hears every node's messages (through Redis), so a shared one is
   * served from the `published` hook instead: each event is ingested by the node its device is
   * connected to, once in the cluster (issue 7), as an MQTT 5 shared subscription would (section 4.8.2).
   */
  async subscribe(
    filter: string,
    handler: MessageHandler,
    o: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    if (o.share && this.opts.cluster) {
      const entry = { filter, handler }
      this.local.add(entry)
      return async () => {
        this.local.delete(entry)
      }
    }
    const fn = (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
      try {
        handler(
          packet.topic,
          typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        )
      } finally {
        cb()
      }
    }
    await new Promise<void>((resolve) => this.aedes.subscribe(filter, fn, () => resolve()))
    return () => new Promise<void>((resolve) => this.aedes.unsubscribe(filter, fn, () => resolve()))
  }

  private deliverLocal(topic: string, payload: Buffer | string): void {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
    for (const { filter, handler } of this.local) {
      if (!matches(filter, topic)) continue
      try {
        handler(topic, bytes)
      } catch (err) {
        this.opts.log.error({ err, topic }, 'local subscriber failed')
      }
    }
  }

  async stop(): Promise<void> {
    // Stop accepting first, then let Aedes disconnect the clients: a server's close callback waits for
    // its open connections, which only Aedes can end.
    const closed = this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r())))
    if (this.aedesInstance) await new Promise<void>((r) => this.aedesInstance!.close(() => r()))
    // Aedes closes its emitter but not its persistence: the store's Redis connection would stay open.
    await this.clusterParts?.persistence.destroy()
    this.clusterParts = undefined
    await Promise.all(closed)
  }
}

function listen(server: Server, host: string, port: number, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new Error(
            `${variable}=${port}: port ${port} on ${host} is taken by another process; choose another with ${variable}`,
          ),
        )
      } else reject(err)
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const addr = server.address()
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port)
    })
  })
}
