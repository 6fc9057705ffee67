// The state one batch of scans works on, loaded in a few multi-row queries and written back in a few:
// items touched (by list and code, or by id for undo), product names, the household's lists, and each
// device's undo stack (migration 0010: its newest change not undone in `undo_stacks`, each change linked
// to the one below it). scan-apply.ts decides; this file only reads and writes.
import type { Kysely } from 'kysely'
import { BulkInsert } from '../../storage/bulk-insert.js'
import { BulkLookup } from '../../storage/bulk-lookup.js'
import { isPostgres } from '../../storage/dialect.js'
import type {
  Database,
  ItemChangesTable,
  ItemsTable,
  UndoStacksTable,
  UnknownProductsTable,
} from '../../storage/schema.js'
import type { ListCache } from './list-cache.js'

export type ItemRow = ItemsTable

const upsertItems = new BulkInsert<ItemRow>(
  [
    'id',
    'list_id',
    'code',
    'display_code',
    'name',
    'quantity',
    'checked',
    'unknown',
    'added_by',
    'first_scan_at',
    'last_scan_at',
    'last_scan_agent',
    'last_scan_device',
    'created_at',
    'updated_at',
  ],
  (db, rows) =>
    db
      .insertInto('items')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          quantity: eb.ref('excluded.quantity'),
          checked: eb.ref('excluded.checked'),
          unknown: eb.ref('excluded.unknown'),
          last_scan_at: eb.ref('excluded.last_scan_at'),
          last_scan_agent: eb.ref('excluded.last_scan_agent'),
          last_scan_device: eb.ref('excluded.last_scan_device'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      ),
)

const upsertUnknown = new BulkInsert<UnknownProductsTable>(
  ['household_id', 'code', 'display_code', 'first_seen', 'last_seen', 'scans', 'named_at'],
  (db, rows) =>
    db
      .insertInto('unknown_products')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['household_id', 'code']).doUpdateSet((eb) => ({
          scans: eb('unknown_products.scans', '+', eb.ref('excluded.scans')),
          last_seen: eb.ref('excluded.last_seen'),
        })),
      ),
)

const insertChanges = new BulkInsert<ItemChangesTable>(
  ['seq', 'agent_id', 'device_id', 'event_id', 'item_id', 'before', 'created_at', 'undone_at', 'prev_seq'],
  (db, rows) => db.insertInto('item_changes').values(rows),
)

const upsertTops = new BulkInsert<UndoStacksTable>(['agent_id', 'device_id', 'top_seq'], (db, rows) =>
  db
    .insertInto('undo_stacks')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['agent_id', 'device_id']).doUpdateSet((eb) => ({ top_seq: eb.ref('excluded.top_seq') })),
    ),
)
// The reads of every batch, each by the batch's keys (pairs looked up as pairs: separate IN lists of
// households and codes would probe every household with every code).
const defaultLists = new BulkLookup(1, (db, households: ReadonlyArray<readonly [string]>) =>
  db
    .selectFrom('lists')
    .select(['id', 'household_id'])
    .where(
      'household_id',
      'in',
      households.map(([h]) => h),
    )
    .where('is_default', '=', 1),
)
const productNames = new BulkLookup(1, (db, codes: ReadonlyArray<readonly [string]>) =>
  db
    .selectFrom('products')
    .select(['code', 'name'])
    .where(
      'code',
      'in',
      codes.map(([c]) => c),
    ),
)
const householdNames = new BulkLookup(2, (db, keys: ReadonlyArray<readonly [string, string]>) =>
  db
    .selectFrom('household_products')
    .select(['household_id', 'code', 'name'])
    .where((eb) =>
      eb(
        eb.refTuple('household_id', 'code'),
        'in',
        keys.map(([h, code]) => eb.tuple(h, code)),
      ),
    ),
)
/**
 * On PostgreSQL the items read are locked until commit (FOR UPDATE): writeTx keeps ingest batches
 * apart, but an HTTP edit or delete of an item runs beside them at READ COMMITTED, and would otherwise
 * be overwritten (or the item re-inserted) by the batch's write of what it read. SQLite needs no such
 * lock: the batch holds its write lock from the first statement.
 */
const itemsByCode = new BulkLookup(2, (db, keys: ReadonlyArray<readonly [string, string]>) =>
  db
    .selectFrom('items')
    .selectAll()
    .where((eb) =>
      eb(
        eb.refTuple('list_id', 'code'),
        'in',
        keys.map(([list, code]) => eb.tuple(list, code)),
      ),
    )
    .$if(isPostgres(db), (q) => q.forUpdate()),
)
const undoTops = new BulkLookup(2, (db, keys: ReadonlyArray<readonly [string, string]>) =>
  db
    .selectFrom('undo_stacks')
    .select(['agent_id', 'device_id', 'top_seq'])
    .where((eb) =>
      eb(
        eb.refTuple('agent_id', 'device_id'),
        'in',
        keys.map(([agent, device]) => eb.tuple(agent, device)),
      ),
    ),
)

const CHUNK = 400 // below SQLite's bound-parameter limit for the widest statement here

export function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}

export type Change = ItemChangesTable

let lastSeq = 0
/** Strictly increasing in this process: epoch ms * 1000 + a counter. */
export function nextSeq(now: number): number {
  lastSeq = Math.max(lastSeq + 1, now * 1000)
  return lastSeq
}

/**
 * Deletes the changes made before `before` (epoch ms; seq is its ms * 1000, a range of the primary key):
 * undo goes back as far as events are remembered. A stack whose lower changes are gone ends there.
 */
export async function pruneChanges(db: Kysely<Database>, before: number): Promise<number> {
  const r = await db
    .deleteFrom('item_changes')
    .where('seq', '<', before * 1000)
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}

export class ScanBatch {
  readonly lists = new Map<string, string>()
  readonly catalogue = new Map<string, string | null>()
  readonly named = new Map<string, string | null>()
  /** By `${listId}\n${code}`; removed entries are deleted from here and listed in `deleted`. */
  readonly items = new Map<string, ItemRow>()
  readonly byId = new Map<string, ItemRow>()
  readonly dirty = new Map<string, ItemRow>()
  readonly deleted = new Set<string>()
  readonly unknown = new Map<
    string,
    { household_id: string; code: string; display_code: string; ts: number; scans: number }
  >()
  /**
   * Per `${agent}\n${device}`, of each device the batch changes or undoes: the seq of its newest change
   * not undone (null: none). Kept as the batch goes; `movedTops` says which to write back.
   */
  readonly tops = new Map<string, number | null>()
  readonly movedTops = new Set<string>()
  /** Per `${agent}\n${device}` undoing in this batch: its stack's top changes, newest last. */
  readonly stacks = new Map<string, Change[]>()
  readonly newChanges: Change[] = []
  readonly undone = new Set<number>()

  /** On PostgreSQL, items read are locked until commit, as by itemsByCode. */
  private readonly pg: boolean

  /**
   * @param cache items and names kept from earlier batches (list-cache.ts): only for the writer thread, whose
   *   connection nothing else writes through.
   */
  constructor(
    private readonly trx: Kysely<Database>,
    private readonly cache?: ListCache,
  ) {
    this.pg = isPostgres(trx)
  }

  /**
   * @param scanned each (household, code) the batch scans. Looked up as pairs: separate IN lists of
   *   households and codes would probe every household with every code.
   * @param devices each device the batch changes or undoes, with how many undos it sends (the depth of
   *   its stack to load).
   */
  async load(
    households: string[],
    scanned: Array<[household: string, code: string]>,
    devices: Array<[agent: string, device: string, undos: number]>,
  ): Promise<void> {
    const trx = this.trx
    const cache = this.cache
    if (cache !== undefined) await cache.check(trx)
    for (const r of await defaultLists.run(
      trx,
      households.map((h) => [h] as const),
    ))
      this.lists.set(r.household_id, r.id)
    // Names and items the cache holds are taken from it; the rest are read, and kept (found or not).
    const codes = [...new Set(scanned.map(([, code]) => code))].map((c) => [c] as const)
    await readNames(trx, codes, productNames, (p) => [p.code], this.catalogue, cache?.catalogue)
    await readNames(trx, scanned, householdNames, (p) => [p.household_id, p.code], this.named, cache?.named)
    const onList = scanned.flatMap(([h, code]) => {
      const list = this.lists.get(h)
      return list === undefined ? [] : [[list, code] as const]
    })
    const readItems =
      cache === undefined
        ? onList
        : onList.filter(([list, code]) => {
            const r = cache.item(list, code)
            if (r !== undefined) this.remember(r)
            return r === undefined
          })
    for (const r of await itemsByCode.run(trx, readItems)) this.remember(r)
    await this.loadStacks(devices)
    const missing = [...this.stacks.values()]
      .flat()
      .map((c) => c.item_id)
      .filter((id) => !this.byId.has(id))
    for (const part of chunks([...new Set(missing)])) {
      for (const r of await trx
        .selectFrom('items')
        .selectAll()
        .where('id', 'in', part)
        .$if(this.pg, (q) => q.forUpdate())
        .execute())
        this.remember(r)
    }
  }

  /** Each device's top, then the top `undos` changes of each device undoing, a stack level a query. */
  private async loadStacks(devices: Array<[string, string, number]>): Promise<void> {
    const key = (agent: string, device: string) => `${agent}\n${device}`
    for (const r of await undoTops.run(
      this.trx,
      devices.map(([agent, device]) => [agent, device] as const),
    ))
      this.tops.set(key(r.agent_id, r.device_id), toSeq(r.top_seq))
    const walks = devices
      .filter(([, , undos]) => undos > 0)
      .map(([agent, device, undos]) => {
        const k = key(agent, device)
        const below: Change[] = []
        this.stacks.set(k, below)
        return { below, next: this.tops.get(k) ?? null, left: undos }
      })
    const level = () => walks.filter((w) => w.next !== null && w.left > 0)
    for (let walking = level(); walking.length > 0; walking = level()) {
      const found = new Map<number, Change>()
      for (const part of chunks(walking.map((w) => w.next!)))
        for (const r of await this.trx
          .selectFrom('item_changes')
          .selectAll()
          .where('seq', 'in', part)
          .execute())
          found.set(Number(r.seq), { ...r, seq: Number(r.seq), prev_seq: toSeq(r.prev_seq) })
      for (const w of walking) {
        const c = found.get(w.next!)
        // A change pruned away (old) ends the stack there.
        if (c !== undefined) w.below.unshift(c)
        w.next = c?.prev_seq ?? null
        w.left--
      }
    }
  }

  /** A new change on top of its device's stack. */
  push(c: Change): void {
    const k = `${c.agent_id}\n${c.device_id}`
    c.prev_seq = this.tops.get(k) ?? null
    this.tops.set(k, c.seq)
    this.movedTops.add(k)
    this.newChanges.push(c)
    this.stacks.get(k)?.push(c)
  }

  /** The device's newest change not undone, taken off its stack; undefined when there is none. */
  pop(agent: string, device: string, now: number): Change | undefined {
    const k = `${agent}\n${device}`
    const c = this.stacks.get(k)?.pop()
    if (c === undefined) return undefined
    this.tops.set(k, c.prev_seq)
    this.movedTops.add(k)
    if (this.newChanges.includes(c)) c.undone_at = now
    else this.undone.add(c.seq)
    return c
  }

  /** An item read or made: from here on the batch (and the cache) works on this row, in place. */
  remember(r: ItemRow): void {
    this.items.set(`${r.list_id}\n${r.code}`, r)
    this.byId.set(r.id, r)
    this.cache?.setItem(r)
  }

  forget(r: ItemRow): void {
    this.cache?.deleteItem(r)
    this.items.delete(`${r.list_id}\n${r.code}`)
    this.byId.delete(r.id)
    this.dirty.delete(r.id)
    this.deleted.add(r.id)
  }

  touch(r: ItemRow): void {
    this.deleted.delete(r.id)
    this.dirty.set(r.id, r)
  }

  async write(): Promise<void> {
    const trx = this.trx
    for (const part of chunks([...this.deleted])) {
      await trx.deleteFrom('items').where('id', 'in', part).execute()
    }
    await upsertItems.run(trx, [...this.dirty.values()])
    await upsertUnknown.run(
      trx,
      [...this.unknown.values()].map((u) => ({
        household_id: u.household_id,
        code: u.code,
        display_code: u.display_code,
        first_seen: u.ts,
        last_seen: u.ts,
        scans: u.scans,
        named_at: null,
      })),
    )
    await insertChanges.run(trx, this.newChanges)
    await upsertTops.run(
      trx,
      [...this.movedTops].map((k) => {
        const [agent_id, device_id] = k.split('\n') as [string, string]
        return { agent_id, device_id, top_seq: this.tops.get(k) ?? null }
      }),
    )
    const undoneAt = Date.now()
    for (const part of chunks([...this.undone])) {
      await trx.updateTable('item_changes').set({ undone_at: undoneAt }).where('seq', 'in', part).execute()
    }
  }
}

/**
 * Fills `into` with the names of `keys` (joined with a newline): those `cached` holds from it, the rest
 * read with `lookup` and kept in `cached`, null for a key that has none.
 */
async function readNames<K extends readonly string[], R extends { name: string | null }>(
  trx: Kysely<Database>,
  keys: readonly K[],
  lookup: BulkLookup<K, R>,
  keyOf: (row: R) => readonly string[],
  into: Map<string, string | null>,
  cached: Map<string, string | null> | undefined,
): Promise<void> {
  const read = keys.filter((k) => {
    const name = cached?.get(k.join('\n'))
    if (name !== undefined) into.set(k.join('\n'), name)
    return name === undefined
  })
  for (const r of await lookup.run(trx, read)) into.set(keyOf(r).join('\n'), r.name)
  if (cached !== undefined) for (const k of read) cached.set(k.join('\n'), into.get(k.join('\n')) ?? null)
}

/** A seq as read back: PostgreSQL returns bigint columns as strings. */
const toSeq = (v: number | string | null): number | null => (v === null ? null : Number(v))
