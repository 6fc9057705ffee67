// One batch of events applied in one transaction (DESIGN.md, delivery rule 3): previous outcomes looked
// up by (agent, event id), new events handed to their domain, the outcomes recorded. Pure over its
// arguments, so the same code runs inline (PostgreSQL, tests) and in the SQLite writer thread.
import type { Ack, Envelope } from '@relais/hardware'
import type { Kysely } from 'kysely'
import type { Database } from '../storage/schema.js'
import { writeTx } from '../storage/write-tx.js'

export interface IncomingEvent {
  agent: string
  device: string
  name: string
  message: Envelope
  receivedAt: number
  /** The agent's placements, filled in when the batch is applied. */
  householdId: string | null
  siteId: string | null
}

export interface HandlerResult {
  ack: Ack
  /** Extra tags for the event's time-series point. */
  tags?: Record<string, string>
  /**
   * What the change means for the rest of the cloud (live views, lookups), as plain data: it may cross
   * a thread. The domain's effect function runs it after the commit.
   */
  effect?: unknown
}

/** A domain that consumes one event name. `apply` sees only events never applied before. */
export interface EventHandler {
  apply(trx: Kysely<Database>, events: IncomingEvent[], now: number): Promise<HandlerResult[]>
}

export type Applied = HandlerResult

export async function applyBatch(
  db: Kysely<Database>,
  handlers: Readonly<Record<string, EventHandler>>,
  batch: IncomingEvent[],
  now: number,
): Promise<Applied[]> {
  return writeTx(db, async (trx) => {
    const outcomes: Array<Applied | undefined> = new Array(batch.length)
    const agentIds = [...new Set(batch.map((e) => e.agent))]
    const agents = new Map(
      (
        await trx
          .selectFrom('agents')
          .select(['id', 'household_id', 'site_id', 'revoked_at'])
          .where('id', 'in', agentIds)
          .execute()
      ).map((a) => [a.id, a] as const),
    )
    const ids = [...new Set(batch.map((e) => e.message.id))]
    const previous = new Map<string, string>()
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await trx
        .selectFrom('processed_events')
        .select(['agent_id', 'event_id', 'outcome'])
        // Both columns of the primary key, so SQLite and PostgreSQL look rows up by index.
        .where('agent_id', 'in', agentIds)
        .where('event_id', 'in', ids.slice(i, i + 500))
        .execute()
      for (const r of rows) previous.set(`${r.agent_id}\n${r.event_id}`, r.outcome)
    }

    const firstInBatch = new Map<string, number>()
    const laterCopies: Array<[number, number]> = []
    const groups = new Map<string, number[]>()
    batch.forEach((e, i) => {
      const key = `${e.agent}\n${e.message.id}`
      const prev = previous.get(key)
      const agent = agents.get(e.agent)
      if (prev !== undefined) {
        outcomes[i] = { ack: { ...(JSON.parse(prev) as Ack), replayed: true } }
      } else if (firstInBatch.has(key)) {
        laterCopies.push([i, firstInBatch.get(key)!])
      } else if (agent === undefined || agent.revoked_at !== null) {
        outcomes[i] = { ack: { outcome: 'rejected', reason: 'unknown_agent' } }
      } else if (handlers[e.name] === undefined) {
        outcomes[i] = {
          ack: { outcome: 'rejected', reason: 'no_handler', detail: `no domain takes '${e.name}' events` },
        }
      } else {
        firstInBatch.set(key, i)
        e.householdId = agent.household_id
        e.siteId = agent.site_id
        const g = groups.get(e.name) ?? []
        g.push(i)
        groups.set(e.name, g)
      }
    })

    const fresh: Array<{ agent_id: string; event_id: string; received_at: number; outcome: string }> = []
    for (const [name, idx] of groups) {
      const results = await handlers[name]!.apply(
        trx,
        idx.map((i) => batch[i]!),
        now,
      )
      idx.forEach((i, k) => {
        const r = results[k]!
        const e = batch[i]!
        outcomes[i] = { ack: r.ack, tags: r.tags, effect: r.effect }
        fresh.push({
          agent_id: e.agent,
          event_id: e.message.id,
          received_at: now,
          outcome: JSON.stringify(r.ack),
        })
      })
    }
    for (const [i, first] of laterCopies) outcomes[i] = { ack: { ...outcomes[first]!.ack, replayed: true } }
    for (let i = 0; i < fresh.length; i += 200) {
      await trx
        .insertInto('processed_events')
        .values(fresh.slice(i, i + 200))
        .execute()
    }
    return outcomes as Applied[]
  })
}
