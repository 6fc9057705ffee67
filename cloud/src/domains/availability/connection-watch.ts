// What the broker alone knows about an agent's connections: when a session starts, keep-alive pings,
// and why a connection ended. Aedes says it through events (aedes docs/Aedes.md): `client` (a CONNECT
// accepted), `ping`, `keepaliveTimeout` (no packet within 1.5 x keep-alive, MQTT-3.1.2-24), `clientError`
// (socket or protocol error, and a refused CONNECT), `connectionError` (before any CONNECT), and
// `clientDisconnect` (a registered client gone). The will itself arrives on the status topic.
import type { Aedes, Client } from 'aedes'
import type { DisconnectReason } from './availability-state.js'

export interface ConnectionEvents {
  session(agent: string): void
  seen(agent: string): void
  disconnected(agent: string, reason: DisconnectReason, detail: string | null): void
  /** A CONNECT refused with "bad user name or password" or "not authorized" (CONNACK 4 or 5). */
  authFailure(remote: string, clientId: string): void
}

interface AedesInternals {
  closed?: boolean
  clients: Record<string, Client | undefined>
}
type ClientInternals = Client & { _disconnected?: boolean; conn?: { remoteAddress?: string } }

export function remoteOf(client: Client): string {
  return (client as ClientInternals).conn?.remoteAddress ?? 'unknown'
}

/** Listens to the broker; returns the function that stops listening. */
export function watchConnections(aedes: Aedes, on: ConnectionEvents): () => void {
  const broker = aedes as unknown as AedesInternals
  const marks = new WeakMap<Client, { reason: DisconnectReason; detail: string | null }>()

  const onClient = (client: Client) => on.session(client.id)
  const onPing = (_packet: unknown, client: Client) => on.seen(client.id)
  const onKeepalive = (client: Client) =>
    marks.set(client, { reason: 'keepalive_timeout', detail: 'no packet within 1.5 x keep-alive' })
  const onClientError = (client: Client, err: Error & { errorCode?: number }) => {
    if (err.errorCode === 4 || err.errorCode === 5) {
      on.authFailure(remoteOf(client), client.id)
      // A refused attempt is the agent's last disconnect only when no session of it is live: a stranger
      // guessing its secret must not overwrite why the real agent last went.
      if (broker.clients[client.id] === undefined) on.disconnected(client.id, 'refused_auth', err.message)
      return
    }
    if (!marks.has(client)) marks.set(client, { reason: 'socket_error', detail: err.message })
  }
  const onDisconnect = (client: Client) => {
    const id = client.id
    if ((client as ClientInternals)._disconnected) return on.disconnected(id, 'clean', null)
    const mark = marks.get(client)
    if (mark !== undefined) return on.disconnected(id, mark.reason, mark.detail)
    if (broker.closed) return on.disconnected(id, 'server_shutdown', null)
    // A second CONNECT with the same client id closes the first (MQTT-3.1.4-2), and Aedes registers the
    // newcomer right after this event, in the same turn: look once the turn is over.
    setImmediate(() => {
      const now = broker.clients[id]
      if (now !== undefined && now !== client)
        on.disconnected(id, 'replaced_session', 'a new connection with the same client id')
      else on.disconnected(id, 'socket_error', 'connection closed without DISCONNECT')
    })
  }

  aedes.on('client', onClient)
  aedes.on('ping', onPing)
  aedes.on('keepaliveTimeout', onKeepalive)
  aedes.on('clientError', onClientError)
  aedes.on('clientDisconnect', onDisconnect)
  return () => {
    aedes.off('client', onClient)
    aedes.off('ping', onPing)
    aedes.off('keepaliveTimeout', onKeepalive)
    aedes.off('clientError', onClientError)
    aedes.off('clientDisconnect', onDisconnect)
  }
}
