// One batch of events applied in one transaction (DESIGN.md, delivery rule 3): previous outcomes looked
// up by (agent, event id), the new events' keys claimed, the claimed ones handed to their domain, the
// outcomes recorded. Pure over its arguments, so the same code runs inline (PostgreSQL, tests) and in
// the SQLite writer thread.
//
// Claiming before applying is what keeps two appliers on one PostgreSQL database (two cloud processes)
// from applying an event twice: at READ COMMITTED both may find a key absent, but the claim
// (INSERT ... ON CONFLICT DO NOTHING on the primary key) of the second waits for the first transaction
// and then inserts nothing, so only the first applies it; the second reads the committed outcome and
// acks it as a replay. SQLite needs no claim: writeTx takes its write lock before `previous` is read, so
// no other writer, in this process or another, can commit a key between that read and the commit.
import type { Ack, Envelope } from '@relais/hardware'
import type { Kysely } from 'kysely'
import { BulkInsert } from '../storage/bulk-insert.js'
import { BulkLookup } from '../storage/bulk-lookup.js'
import { isPostgres } from '../storage/dialect.js'
import type { Database, ProcessedEventsTable } from '../storage/schema.js'
import { writeTx } from '../storage/write-tx.js'

/**
 * What a domain reads of an event's envelope. Only these fields cross to the writer thread: the rest
 * (agent, device and type repeat the topic; session and seq serve the device) would be copied for
 * nothing with every event (structured clone, on the broker's thread).
 */
export type EventMessage = Pick<Envelope, 'id' | 'ts' | 'data'>

export interface IncomingEvent {
  agent: string
  device: string
  name: string
  message: EventMessage
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
  /** The batch's transaction did not commit: what the handler keeps between batches is not to be trusted. */
  aborted?(): void
}

export type Applied = HandlerResult

/** The error code of a batch refused because one handed over before it failed (BatchApplier.depth). */
export const AFTER_FAILURE = 'RELAIS_AFTER_FAILURE'

/** The dedupe records with their outcomes: claimed rows (PostgreSQL) get theirs, the same statement on
 * both engines. */
export const recordOutcomes = new BulkInsert<ProcessedEventsTable>(
  ['agent_id', 'event_id', 'received_at', 'outcome'],
  (db, rows) =>
    db
      .insertInto('processed_events')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['event_id', 'agent_id']).doUpdateSet((eb) => ({ outcome: eb.ref('excluded.outcome') })),
      ),
)

const agentsById = new BulkLookup(1, (db, ids: ReadonlyArray<readonly [string]>) =>
  db
    .selectFrom('agents')
    .select(['id', 'household_id', 'site_id', 'revoked_at'])
    .where(
      'id',
      'in',
      ids.map(([id]) => id),
    ),
)

/**
 * Outcomes recorded before, by (event id, agent) in the primary key's order (migration 0009), each
 * one key lookup. Separate IN lists for agents and ids made both engines probe every agent with every
 * id (10 agents x 250 events: 2,500 probes, 5x slower).
 */
const outcomesByKey = new BulkLookup(2, (db, keys: ReadonlyArray<readonly [string, string]>) =>
  db
    .selectFrom('processed_events')
    .select(['agent_id', 'event_id', 'outcome'])
    .where((eb) =>
      eb(
        eb.refTuple('event_id', 'agent_id'),
        'in',
        keys.map(([id, agent]) => eb.tuple(id, agent)),
      ),
    ),
)

export async function applyBatch(
  db: Kysely<Database>,
  handlers: Readonly<Record<string, EventHandler>>,
  batch: IncomingEvent[],
  now: number,
): Promise<Applied[]> {
  try {
    return await writeTx(db, (trx) => applyIn(trx, handlers, batch, now))
  } catch (err) {
    for (const h of new Set(Object.values(handlers))) h.aborted?.()
    throw err
  }
}

async function applyIn(
  trx: Kysely<Database>,
  handlers: Readonly<Record<string, EventHandler>>,
  batch: IncomingEvent[],
  now: number,
): Promise<Applied[]> {
  const outcomes: Array<Applied | undefined> = new Array(batch.length)
  const agentIds = [...new Set(batch.map((e) => e.agent))].map((id) => [id] as const)
  const agents = new Map((await agentsById.run(trx, agentIds)).map((a) => [a.id, a] as const))
  const keys = [...new Map(batch.map((e) => [`${e.agent}\n${e.message.id}`, e] as const)).values()]
  const previous = new Map<string, string>()
  const rows = await outcomesByKey.run(
    trx,
    keys.map((e) => [e.message.id, e.agent] as const),
  )
  for (const r of rows) previous.set(`${r.agent_id}\n${r.event_id}`, r.outcome)

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

  if (isPostgres(trx)) await claim(trx, batch, groups, previous, now)
  const fresh: ProcessedEventsTable[] = []
  for (const [name, all] of groups) {
    // Keys another applier committed meanwhile are replays of its outcome, not new events.
    const idx = all.filter((i) => {
      const prev = previous.get(`${batch[i]!.agent}\n${batch[i]!.message.id}`)
      if (prev !== undefined) outcomes[i] = { ack: { ...(JSON.parse(prev) as Ack), replayed: true } }
      return prev === undefined
    })
    if (idx.length === 0) continue
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
  await recordOutcomes.run(trx, fresh)
  return outcomes as Applied[]
}

/**
 * Inserts the dedupe rows of the events about to be applied (outcome still empty: no other transaction
 * sees it before the real one replaces it at commit). A key that is not inserted was committed by
 * another applier after `previous` was read; its outcome is added to `previous`. Keys go in sorted, so
 * two appliers claiming overlapping batches take their row locks in the same order and cannot deadlock.
 */
async function claim(
  trx: Kysely<Database>,
  batch: IncomingEvent[],
  groups: Map<string, number[]>,
  previous: Map<string, string>,
  now: number,
): Promise<void> {
  const keys = [...groups.values()]
    .flat()
    .map((i) => ({ agent_id: batch[i]!.agent, event_id: batch[i]!.message.id }))
    .sort((a, b) => (a.agent_id === b.agent_id ? cmp(a.event_id, b.event_id) : cmp(a.agent_id, b.agent_id)))
  const lost: typeof keys = []
  for (let i = 0; i < keys.length; i += 200) {
    const part = keys.slice(i, i + 200)
    const won = await trx
      .insertInto('processed_events')
      .values(part.map((k) => ({ ...k, received_at: now, outcome: '' })))
      .onConflict((oc) => oc.columns(['event_id', 'agent_id']).doNothing())
      .returning(['agent_id', 'event_id'])
      .execute()
    const wonKeys = new Set(won.map((w) => `${w.agent_id}\n${w.event_id}`))
    for (const k of part) if (!wonKeys.has(`${k.agent_id}\n${k.event_id}`)) lost.push(k)
  }
  for (const k of lost) {
    const row = await trx
      .selectFrom('processed_events')
      .select('outcome')
      .where('agent_id', '=', k.agent_id)
      .where('event_id', '=', k.event_id)
      .executeTakeFirstOrThrow()
    previous.set(`${k.agent_id}\n${k.event_id}`, row.outcome)
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
