// Aedes hooks enforcing broker security (DESIGN.md, security; aedes docs/Aedes.md for what each hook may
// do). Identity is decided once in authenticate and kept per client; the other hooks only read it.
// Two kinds of client: agents (client id = username = agent id) and integration accounts (any client
// id that is not an agent's), each with its own topic rules.

import { isId } from '@relais/hardware'
import type { AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes'
import type { Logger } from '../lib/logger.js'
import { accountMayPublish, accountMaySubscribe } from './account-rules.js'
import type { AgentAuthenticator } from './agent-auth.js'
import {
  type Authenticators,
  type Hello,
  IDENTIFIER_REJECTED,
  type Identity,
  identify,
  NOT_AUTHORIZED,
  Refused,
  usernameOf,
  type Will,
} from './identify.js'
import { agentMayPublish, agentMaySubscribe, type Verdict } from './topic-rules.js'

export { type Authenticators, type Identity, usernameOf }

export interface AuthEvents {
  /** A refused CONNECT; `username` as sent (never the password). */
  onAuthFailure?(info: {
    username: string | undefined
    clientId: string
    remote: string | undefined
    reason: string
  }): void
}

const SERVER_UNAVAILABLE = 3 // CONNACK return code (MQTT 3.1.1, table 3.1)

function refuse(reason: string, code = NOT_AUTHORIZED): AuthenticateError {
  const err = new Error(reason) as AuthenticateError
  err.returnCode = code
  return err
}

function remoteOf(client: Client): string | undefined {
  const conn = client.conn as { remoteAddress?: string } | undefined
  return conn?.remoteAddress
}

export function createAuthHooks(
  auth: AgentAuthenticator | Authenticators,
  log: Logger,
  events: AuthEvents = {},
) {
  const { agents, accounts } = 'agents' in auth ? auth : { agents: auth, accounts: undefined }
  const identities = new WeakMap<Client, Identity>()
  const hellos = new WeakMap<Client, Hello>()
  /** Live sessions by username, so changed credentials can end them (credential-watch.ts). */
  const sessions = new Map<string, Set<Client>>()

  function fail(client: Client, username: string | undefined, reason: string) {
    log.warn({ agent: username, clientId: client.id, remote: remoteOf(client), reason }, 'connection refused')
    events.onAuthFailure?.({ username, clientId: client.id, remote: remoteOf(client), reason })
  }

  return {
    identities,
    sessions,
    /** Called on clientDisconnect: the session list holds live clients only. */
    forget(client: Client) {
      const id = identities.get(client)
      if (id === undefined) return
      const set = sessions.get(usernameOf(id))
      set?.delete(client)
      if (set?.size === 0) sessions.delete(usernameOf(id))
    },

    preConnect(client: Client, packet: ConnectPacket, done: (err: Error | null, ok: boolean) => void) {
      // The will and the client id as sent are only visible here; authenticate judges them.
      hellos.set(client, {
        emptyId: (packet.clientId ?? '') === '',
        clean: packet.clean !== false,
        will: packet.will as Will | undefined,
      })
      done(null, true)
    },

    authenticate(
      client: Client,
      username: string | undefined,
      password: Buffer | undefined,
      done: (err: AuthenticateError | null, ok: boolean | null) => void,
    ) {
      const hello = hellos.get(client) ?? { emptyId: false, clean: true, will: undefined }
      // MQTT-3.1.3-8: a zero-byte client id with CleanSession 0 gets CONNACK 0x02. Aedes would make up an
      // id instead, and keep a session nobody can ever resume.
      if (hello.emptyId && !hello.clean) {
        fail(client, username, 'empty client id with clean session off')
        return done(refuse('identifier rejected', IDENTIFIER_REJECTED), null)
      }
      if (!isId(username)) {
        fail(client, username, 'the username must be an agent id or an account name')
        return done(refuse('not authorized'), null)
      }
      if (password === undefined || password.length === 0) {
        fail(client, username, 'no secret')
        return done(refuse('not authorized'), null)
      }
      identify({ agents, accounts }, client.id, username, password.toString('utf8'), hello).then(
        (identity) => {
          identities.set(client, identity)
          const set = sessions.get(username) ?? new Set<Client>()
          set.add(client)
          sessions.set(username, set)
          done(null, true)
        },
        (err: unknown) => {
          if (err instanceof Refused) {
            fail(client, username, err.reason)
            return done(refuse('not authorized', err.code), null)
          }
          log.error({ agent: username, err }, 'authentication failed with an error')
          done(refuse('server unavailable', SERVER_UNAVAILABLE), null)
        },
      )
    },

    authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) {
      // client is null when aedes publishes a stored will of a client gone before a restart: that will
      // passed authenticate when it was set.
      if (client === null)
        return done(packet.topic.startsWith('$') ? new Error('$ topics are reserved') : null)
      const id = identities.get(client)
      if (id === undefined) return done(new Error('not authenticated'))
      const v: Verdict =
        id.kind === 'agent'
          ? agentMayPublish(id.agent, packet.topic, packet.retain)
          : accountMayPublish(id.rules, packet.topic)
      if (!v.ok) {
        // MQTT 3.1.1 has no negative PUBACK: the connection is closed (MQTT-3.3.5-2).
        log.warn({ [id.kind]: usernameOf(id), topic: packet.topic, reason: v.reason }, 'publish refused')
        return done(new Error(v.reason))
      }
      done(null)
    },

    authorizeSubscribe(
      client: Client,
      sub: Subscription,
      done: (err: Error | null, sub?: Subscription | null) => void,
    ) {
      const id = identities.get(client)
      const v: Verdict =
        id === undefined
          ? { ok: false, reason: 'not authenticated' }
          : id.kind === 'agent'
            ? agentMaySubscribe(id.agent, sub.topic)
            : accountMaySubscribe(id.rules, sub.topic)
      if (!v.ok) {
        // Negating (null) answers this filter with 0x80 in SUBACK and keeps the connection (MQTT-3.9.3).
        const who = id === undefined ? {} : { [id.kind]: usernameOf(id) }
        log.warn({ ...who, filter: sub.topic, reason: v.reason }, 'subscription refused')
        return done(null, null)
      }
      done(null, sub)
    },
  }
}
