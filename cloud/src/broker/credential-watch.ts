// Ends live sessions whose credentials changed: an agent's or account's secret rotated or revoked, by
// the HTTP API in this process or by `relais` in another. The CLI only writes the database, so the
// running cloud polls it: every rotate and revoke moves `credentials_at`, and each poll reads the rows
// changed since the last one (an indexed range), then closes every session that authenticated with a
// hash that is no longer the stored one, or whose row is revoked. The HTTP API calls check() right away.
//
// The window reaches OVERLAP_MS back past the previous poll, so a change is seen again on the next polls:
// a session that finished authenticating with the old secret just after a poll read the row, and a clock
// a little behind another writer's (PostgreSQL shared by hosts), are both caught.
import type { Feature } from '@relais/hardware'
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import { usernameOf } from './auth-hooks.js'
import type { Broker } from './broker.js'

const OVERLAP_MS = 60_000

export interface CredentialWatchOptions {
  db: Db
  broker: Pick<Broker, 'sessionsOf'>
  log: Logger
  intervalMs: number
  now?: () => number
}

interface Changed {
  name: string
  secret_hash: string
  revoked_at: number | null
}

export class CredentialWatch implements Feature {
  readonly name = 'credential-watch'
  /** Sessions ended because their credentials changed (for /metrics). */
  closed = 0
  private readonly log: Logger
  private readonly now: () => number
  private since = 0
  private timer?: NodeJS.Timeout
  private running?: Promise<void>

  constructor(private readonly o: CredentialWatchOptions) {
    this.log = o.log.child({ module: 'credential-watch' })
    this.now = o.now ?? Date.now
  }

  start(): void {
    // Sessions start after this, so they authenticate against what is stored now.
    this.since = this.now() - OVERLAP_MS
    this.timer = setInterval(() => void this.check(), this.o.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }

  /** One poll; concurrent calls share it. Never throws: a failed poll is logged and the next retries. */
  check(): Promise<void> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async poll(): Promise<void> {
    const startedAt = this.now()
    try {
      const agents = await this.o.db
        .selectFrom('agents')
        .select(['id as name', 'secret_hash', 'revoked_at'])
        .where('credentials_at', '>=', this.since)
        .execute()
      const accounts = await this.o.db
        .selectFrom('mqtt_accounts')
        .select(['name', 'secret_hash', 'revoked_at'])
        .where('credentials_at', '>=', this.since)
        .execute()
      for (const row of [...agents, ...accounts] as Changed[]) this.enforce(row)
      this.since = Math.max(this.since, startedAt - OVERLAP_MS)
    } catch (err) {
      this.log.error({ err }, 'credentials poll failed; retrying at the next interval')
    }
  }

  private enforce(row: Changed): void {
    for (const { client, identity } of this.o.broker.sessionsOf(row.name)) {
      const revoked = row.revoked_at !== null
      if (!revoked && identity.secretHash === row.secret_hash) continue
      this.closed++
      this.log.info(
        {
          [identity.kind]: usernameOf(identity),
          clientId: client.id,
          reason: revoked ? 'revoked' : 'rotated',
        },
        'session closed: its credentials changed',
      )
      client.close()
    }
  }
}
