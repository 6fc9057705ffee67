// Aedes hooks enforcing broker security (DESIGN.md, security; aedes docs/Aedes.md for what each hook may
// do). Identity is decided once in authenticate and kept per client; the other hooks only read it.

import { isId } from '@relais/hardware'
import type { AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes'
import type { Logger } from '../lib/logger.js'
import type { AgentAuthenticator } from './agent-auth.js'
import { agentMayPublish, agentMaySubscribe, agentWillIsValid } from './topic-rules.js'

export interface Identity {
  kind: 'agent'
  agent: string
  householdId: string | null
}

export interface AuthEvents {
  /** A refused CONNECT; `username` as sent (never the password). */
  onAuthFailure?(info: {
    username: string | undefined
    clientId: string
    remote: string | undefined
    reason: string
  }): void
}

const NOT_AUTHORIZED = 5

function refuse(reason: string): AuthenticateError {
  const err = new Error(reason) as AuthenticateError
  err.returnCode = NOT_AUTHORIZED
  return err
}

function remoteOf(client: Client): string | undefined {
  const conn = client.conn as { remoteAddress?: string } | undefined
  return conn?.remoteAddress
}

export function createAuthHooks(auth: AgentAuthenticator, log: Logger, events: AuthEvents = {}) {
  const identities = new WeakMap<Client, Identity>()
  const willProblems = new WeakMap<Client, string>()

  function fail(client: Client, username: string | undefined, reason: string) {
    log.warn({ agent: username, clientId: client.id, remote: remoteOf(client), reason }, 'connection refused')
    events.onAuthFailure?.({ username, clientId: client.id, remote: remoteOf(client), reason })
  }

  return {
    identities,
    preConnect(client: Client, packet: ConnectPacket, done: (err: Error | null, ok: boolean) => void) {
      // The will is only visible here; remember its verdict for authenticate, which answers with CONNACK.
      const clientId = packet.clientId ?? ''
      const v = agentWillIsValid(clientId, packet.will as Parameters<typeof agentWillIsValid>[1])
      if (!v.ok) willProblems.set(client, v.reason)
      done(null, true)
    },

    authenticate(
      client: Client,
      username: string | undefined,
      password: Buffer | undefined,
      done: (err: AuthenticateError | null, ok: boolean | null) => void,
    ) {
      // DESIGN.md: the agent id is both the MQTT client id and the username.
      if (!isId(username) || client.id !== username) {
        fail(client, username, 'client id must equal the username, an agent id')
        return done(refuse('not authorized'), null)
      }
      const willProblem = willProblems.get(client)
      if (willProblem !== undefined) {
        fail(client, username, willProblem)
        return done(refuse('not authorized'), null)
      }
      if (password === undefined || password.length === 0) {
        fail(client, username, 'no secret')
        return done(refuse('not authorized'), null)
      }
      auth.authenticate(username, password.toString('utf8')).then(
        (agent) => {
          if (agent === undefined) {
            fail(client, username, 'unknown agent, revoked agent or wrong secret')
            return done(refuse('not authorized'), null)
          }
          identities.set(client, { kind: 'agent', agent: agent.id, householdId: agent.householdId })
          done(null, true)
        },
        (err: unknown) => {
          log.error({ agent: username, err }, 'authentication failed with an error')
          const e = refuse('server unavailable')
          e.returnCode = 3
          done(e, null)
        },
      )
    },

    authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) {
      // client is null when aedes publishes a stored will of a client gone before a restart: that will
      // passed preConnect when it was set.
      if (client === null)
        return done(packet.topic.startsWith('$') ? new Error('$ topics are reserved') : null)
      const id = identities.get(client)
      if (id === undefined) return done(new Error('not authenticated'))
      const v = agentMayPublish(id.agent, packet.topic, packet.retain)
      if (!v.ok) {
        // MQTT 3.1.1 has no negative PUBACK: the connection is closed (MQTT-3.3.5-2).
        log.warn({ agent: id.agent, topic: packet.topic, reason: v.reason }, 'publish refused')
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
      const v =
        id === undefined
          ? { ok: false as const, reason: 'not authenticated' }
          : agentMaySubscribe(id.agent, sub.topic)
      if (!v.ok) {
        // Negating (null) answers this filter with 0x80 in SUBACK and keeps the connection.
        log.warn({ agent: id?.agent, filter: sub.topic, reason: v.reason }, 'subscription refused')
        return done(null, null)
      }
      done(null, sub)
    },
  }
}
