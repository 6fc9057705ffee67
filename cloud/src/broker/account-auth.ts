// Checks an integration account's secret, with the same digest cache as agents (agent-auth.ts): keyed by
// the stored hash, so a revoked account misses it.
import { type AccountRecord, findAccount } from '../domains/accounts/accounts.js'
import { sha256, verifySecret } from '../lib/secrets.js'
import type { Db } from '../storage/db.js'

export class AccountAuthenticator {
  private readonly good = new Map<string, string>()

  constructor(private readonly db: Db) {}

  async authenticate(name: string, secret: string): Promise<AccountRecord | undefined> {
    const account = await findAccount(this.db, name)
    if (account === undefined || account.revokedAt !== null) return undefined
    const cacheKey = `${account.name}\n${account.secretHash}`
    const digest = sha256(secret)
    if (this.good.get(cacheKey) === digest) return account
    if (!(await verifySecret(secret, account.secretHash))) return undefined
    if (this.good.size > 10_000) this.good.clear()
    this.good.set(cacheKey, digest)
    return account
  }
}
