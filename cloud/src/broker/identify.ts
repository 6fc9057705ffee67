// Who a CONNECT is (DESIGN.md, security): an agent (client id = username = agent id, its secret) or an
// integration account (its name and secret, any client id that is not an agent's). Decided once per
// connection by the authenticate hook (auth-hooks.ts); the other hooks only read the result.
import type { AccountAuthenticator } from './account-auth.js'
import { type AccountRules, accountMayPublish } from './account-rules.js'
import type { AgentAuthenticator } from './agent-auth.js'
import { agentWillIsValid } from './topic-rules.js'

export type Identity =
  | { kind: 'agent'; agent: string; householdId: string | null; secretHash: string }
  | { kind: 'account'; account: string; rules: AccountRules; secretHash: string }

/** The MQTT username an identity connected with (agent id or account name). */
export const usernameOf = (id: Identity): string => (id.kind === 'agent' ? id.agent : id.account)

export interface Authenticators {
  agents: AgentAuthenticator
  accounts?: AccountAuthenticator
}

// CONNACK return codes (MQTT 3.1.1, table 3.1).
export const IDENTIFIER_REJECTED = 2
export const NOT_AUTHORIZED = 5

export type Will = { topic: string; payload: Buffer | string; retain?: boolean }
export interface Hello {
  /** The CONNECT's own client id was empty (aedes then makes one up). */
  emptyId: boolean
  clean: boolean
  will: Will | undefined
}

/** A CONNECT refused, with the reason for the log and the CONNACK code. */
export class Refused extends Error {
  constructor(
    readonly reason: string,
    readonly code = NOT_AUTHORIZED,
  ) {
    super(reason)
  }
}

export async function identify(
  auth: Authenticators,
  clientId: string,
  username: string,
  secret: string,
  hello: Hello,
): Promise<Identity> {
  const { agents, accounts } = auth
  // DESIGN.md: the agent id is both the MQTT client id and the username.
  if (clientId === username && !hello.emptyId) {
    const agent = await agents.authenticate(username, secret)
    if (agent !== undefined) {
      const v = agentWillIsValid(username, hello.will)
      if (!v.ok) throw new Refused(v.reason)
      return {
        kind: 'agent',
        agent: agent.id,
        householdId: agent.householdId,
        secretHash: agent.secretHash,
      }
    }
  }
  const account = await accounts?.authenticate(username, secret)
  if (account === undefined)
    throw new Refused(
      'unknown or revoked agent or account, wrong secret, or client id other than the agent id',
    )
  // MQTT-3.1.4-2: a CONNECT with a connected client's id ends that client's session, so an account
  // using an agent's id could knock the agent off the broker.
  if (!hello.emptyId && (await agents.exists(clientId)))
    throw new Refused(`client id '${clientId}' is an agent id`, IDENTIFIER_REJECTED)
  if (hello.will !== undefined) {
    const v = accountMayPublish(account, hello.will.topic)
    if (!v.ok) throw new Refused(`will: ${v.reason}`)
  }
  const rules = { read: account.read, write: account.write, deny: account.deny }
  return { kind: 'account', account: account.name, rules, secretHash: account.secretHash }
}
