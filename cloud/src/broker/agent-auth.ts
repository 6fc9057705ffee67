// Checks an agent's secret. scrypt costs tens of milliseconds by design, so a good secret is remembered
// (as a digest, keyed by the stored hash) and a reconnect storm after an outage does not pin the CPU;
// a rotated or revoked secret changes the stored hash and so misses the cache.

import { type AgentRecord, findAgent } from '../domains/agents/agents.js'
import { sha256, verifySecret } from '../lib/secrets.js'
import type { Db } from '../storage/db.js'

export class AgentAuthenticator {
  private readonly good = new Map<string, string>()

  constructor(private readonly db: Db) {}

  async authenticate(agentId: string, secret: string): Promise<AgentRecord | undefined> {
    const agent = await findAgent(this.db, agentId)
    if (agent === undefined || agent.revokedAt !== null) return undefined
    const cacheKey = `${agent.id}\n${agent.secretHash}`
    const digest = sha256(secret)
    if (this.good.get(cacheKey) === digest) return agent
    if (!(await verifySecret(secret, agent.secretHash))) return undefined
    if (this.good.size > 100_000) this.good.clear()
    this.good.set(cacheKey, digest)
    return agent
  }

  /** Any agent, revoked or not: its id stays reserved as a client id (see auth-hooks.ts). */
  async exists(agentId: string): Promise<boolean> {
    return (await findAgent(this.db, agentId)) !== undefined
  }
}
