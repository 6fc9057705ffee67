// The state one batch of scans works on, loaded in a few multi-row queries and written back in a few:
// items touched (by list and code, or by id for undo), product names, the household's lists, and each
// device's recent changes for undo. scan-apply.ts decides; this file only reads and writes.
import type { Kysely } from 'kysely'
import { BulkInsert } from '../../storage/bulk-insert.js'
import { isPostgres } from '../../storage/dialect.js'
import type { Database, ItemChangesTable, ItemsTable, UnknownProductsTable } from '../../storage/schema.js'

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
  ['seq', 'agent_id', 'device_id', 'event_id', 'item_id', 'before', 'created_at', 'undone_at'],
  (db, rows) => db.insertInto('item_changes').values(rows),
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

export class ScanBatch {
  readonly lists = new Map<string, string>()
  readonly catalogue = new Map<string, string | null>()
  readonly named = new Map<string, string>()
  /** By `${listId}\n${code}`; removed entries are deleted from here and listed in `deleted`. */
  readonly items = new Map<string, ItemRow>()
  readonly byId = new Map<string, ItemRow>()
  readonly dirty = new Map<string, ItemRow>()
  readonly deleted = new Set<string>()
  readonly unknown = new Map<
    string,
    { household_id: string; code: string; display_code: string; ts: number; scans: number }
  >()
  /** Per `${agent}\n${device}`: changes not undone, newest last. */
  readonly stacks = new Map<string, Change[]>()
  readonly newChanges: Change[] = []
  readonly undone = new Set<number>()

  /**
   * On PostgreSQL the items read here are locked until commit (FOR UPDATE): writeTx keeps ingest
   * batches apart, but an HTTP edit or delete of an item runs beside them at READ COMMITTED, and would
   * otherwise be overwritten (or the item re-inserted) by the batch's write of what it read. SQLite
   * needs no such lock: the batch holds its write lock from the first statement.
   */
  private readonly pg: boolean

  constructor(private readonly trx: Kysely<Database>) {
    this.pg = isPostgres(trx)
  }

  /**
   * @param scanned each (household, code) the batch scans. Looked up as pairs: separate IN lists of
   *   households and codes would probe every household with every code.
   */
  async load(
    households: string[],
    scanned: Array<[household: string, code: string]>,
    undoDevices: Array<[string, string, number]>,
  ): Promise<void> {
    const trx = this.trx
    for (const part of chunks(households)) {
      const rows = await trx
        .selectFrom('lists')
        .select(['id', 'household_id'])
        .where('household_id', 'in', part)
        .where('is_default', '=', 1)
        .execute()
      for (const r of rows) this.lists.set(r.household_id, r.id)
    }
    for (const part of chunks([...new Set(scanned.map(([, code]) => code))])) {
      for (const p of await trx
        .selectFrom('products')
        .select(['code', 'name'])
        .where('code', 'in', part)
        .execute()) {
        this.catalogue.set(p.code, p.name)
      }
    }
    for (const part of chunks(scanned, 200)) {
      const named = await trx
        .selectFrom('household_products')
        .select(['household_id', 'code', 'name'])
        .where((eb) =>
          eb(
            eb.refTuple('household_id', 'code'),
            'in',
            part.map(([h, code]) => eb.tuple(h, code)),
          ),
        )
        .execute()
      for (const p of named) this.named.set(`${p.household_id}\n${p.code}`, p.name)
      const onList = part.flatMap(([h, code]) => {
        const list = this.lists.get(h)
        return list === undefined ? [] : [[list, code] as const]
      })
      if (onList.length === 0) continue
      const rows = await trx
        .selectFrom('items')
        .selectAll()
        .where((eb) =>
          eb(
            eb.refTuple('list_id', 'code'),
            'in',
            onList.map(([list, code]) => eb.tuple(list, code)),
          ),
        )
        .$if(this.pg, (q) => q.forUpdate())
        .execute()
      for (const r of rows) this.remember(r)
    }
    // Undo needs each device's latest changes and the items they touched.
    for (const [agent, device, depth] of undoDevices) {
      const rows = await trx
        .selectFrom('item_changes')
        .selectAll()
        .where('agent_id', '=', agent)
        .where('device_id', '=', device)
        .where('undone_at', 'is', null)
        .orderBy('seq', 'desc')
        .limit(depth)
        .execute()
      this.stacks.set(`${agent}\n${device}`, rows.map((r) => ({ ...r, seq: Number(r.seq) })).reverse())
    }
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

  remember(r: ItemRow): void {
    this.items.set(`${r.list_id}\n${r.code}`, r)
    this.byId.set(r.id, r)
  }

  forget(r: ItemRow): void {
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
    const undoneAt = Date.now()
    for (const part of chunks([...this.undone])) {
      await trx.updateTable('item_changes').set({ undone_at: undoneAt }).where('seq', 'in', part).execute()
    }
  }
}
