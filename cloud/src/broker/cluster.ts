// A cluster of broker nodes on Redis (RELAIS_REDIS_URL; DESIGN.md, storage): every node's Aedes routes
// messages through mqemitter-redis (a publish on one node reaches subscribers on all) and keeps sessions,
// subscriptions, offline queues, wills and retained messages in aedes-persistence-redis, so a device
// that reconnects to another node finds its session and the messages queued while it moved, and a
// retained config published by any node is handed to subscribers of every node.
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import type { AedesOptions } from 'aedes'
import { Redis } from 'ioredis'
import mqemitterRedis from 'mqemitter-redis'
import type { Logger } from '../lib/logger.js'

// aedes-persistence-redis ships no types and its main entry wraps the store in the callback API of
// Aedes < 1; Aedes 1 calls the promise API, which asyncPersistence.js is.
const require = createRequire(import.meta.url)
type Persistence = NonNullable<AedesOptions['persistence']>
const AsyncRedisPersistence = require('aedes-persistence-redis/asyncPersistence.js') as new (opts: {
  conn: Redis
}) => Persistence & {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<unknown>
  addSubscriptions(client: unknown, subs: object): Promise<unknown>
}

/** Where aedes-persistence-redis 12 and Aedes 1.2 disagree; each found by cluster-redis.test.ts. */
class AedesRedisPersistence extends AsyncRedisPersistence {
  private readonly adding = new WeakMap<object, Promise<unknown>>()

  /**
   * Aedes' SUBSCRIBE handler stores the packet's whole subscription list once per filter in it, at the
   * same time. This store then waits for its own broadcast keyed by client and first filter, so the
   * concurrent calls overwrite each other's waiter and all but one never end: a SUBSCRIBE with two
   * filters and a persistent session got no SUBACK. The calls of one packet share one list: one store.
   */
  addSubscriptions(client: unknown, subs: object) {
    let pending = this.adding.get(subs)
    if (pending === undefined) {
      pending = super.addSubscriptions(client, subs) as Promise<unknown>
      this.adding.set(subs, pending)
    }
    return pending
  }

  /** Aedes pipes the retained messages (`stream.pipe`); this store hands back an async generator. */
  createRetainedStreamCombi(patterns: string[]) {
    return Readable.from(super.createRetainedStreamCombi(patterns))
  }
}

export interface ClusterParts {
  mq: NonNullable<AedesOptions['mq']>
  persistence: Persistence
}

/**
 * The emitter and the persistence on three connections to `url` (the emitter needs one for SUBSCRIBE
 * and one to PUBLISH; the store one). ioredis reconnects by itself with back-off: while Redis is away
 * publishes wait in its offline queue, and the node keeps its clients' TCP sessions.
 */
export function redisClusterParts(url: string, log: Logger): ClusterParts {
  const connect = (role: string) => {
    const conn = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null })
    conn.on('error', (err: Error) => log.warn({ role, err: err.message }, 'redis connection error'))
    conn.on('reconnecting', (ms: number) => log.info({ role, inMs: ms }, 'redis reconnecting'))
    return conn
  }
  const mq = mqemitterRedis({ subConn: connect('subscribe'), pubConn: connect('publish') })
  const persistence = new AedesRedisPersistence({ conn: connect('store') })
  return { mq: mq as unknown as ClusterParts['mq'], persistence }
}
