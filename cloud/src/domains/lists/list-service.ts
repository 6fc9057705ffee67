// What people do to a shopping list outside the scanner: read it, check or uncheck an item, change a
// quantity, delete it. The HTTP API calls these; scans go through scan-apply.ts instead. Every change
// is announced on ListEvents only after it has committed, so a live view never shows an undone change.
import type { Kysely } from 'kysely'
import { invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import type { Database, ItemsTable } from '../../storage/schema.js'
import { getHousehold } from '../households/households.js'
import type { ListEvents } from './list-events.js'

/** An item as the API shows it: `code` is what people read, `key` the lookup key (GTIN-14 or plain). */
export interface ListItem {
  id: string
  code: string
  key: string
  name: string | null
  quantity: number
  checked: boolean
  unknown: boolean
  addedBy: string
  firstScanAt: number | null
  lastScanAt: number | null
  updatedAt: number
}

export interface ListView {
  household: { id: string; name: string }
  list: { id: string; name: string }
  items: ListItem[]
}

export interface ItemPatch {
  checked?: boolean
  quantity?: number
}

/** Where committed changes are announced, and the clock (tests pin it). */
export interface ChangeContext {
  events: ListEvents
  now?: number
}

export const MAX_QUANTITY = 999

// The columns an item is read with: named, so a column added later never reaches a caller unasked.
const ITEM_COLUMNS = [
  'items.id',
  'items.code',
  'items.display_code',
  'items.name',
  'items.quantity',
  'items.checked',
  'items.unknown',
  'items.added_by',
  'items.first_scan_at',
  'items.last_scan_at',
  'items.updated_at',
] as const

type ItemRow = Pick<
  ItemsTable,
  | 'id'
  | 'code'
  | 'display_code'
  | 'name'
  | 'quantity'
  | 'checked'
  | 'unknown'
  | 'added_by'
  | 'first_scan_at'
  | 'last_scan_at'
  | 'updated_at'
>

// Number(): PostgreSQL's driver returns bigint columns as strings; SQLite returns numbers.
const num = (v: number | string | bigint): number => Number(v)
const numOrNull = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v))

export function toListItem(r: ItemRow): ListItem {
  return {
    id: r.id,
    code: r.display_code,
    key: r.code,
    name: r.name,
    quantity: num(r.quantity),
    checked: num(r.checked) === 1,
    unknown: num(r.unknown) === 1,
    addedBy: r.added_by,
    firstScanAt: numOrNull(r.first_scan_at),
    lastScanAt: numOrNull(r.last_scan_at),
    updatedAt: num(r.updated_at),
  }
}

/** The ids of a household's lists, as a subquery (one statement, no round trip). */
export function householdListIds(db: Kysely<Database>, householdId: string) {
  return db.selectFrom('lists').select('lists.id').where('lists.household_id', '=', householdId)
}

/** The household's default list: unchecked items first, then by name (the code when unnamed), newest first. */
export async function getList(db: Db, householdId: string): Promise<ListView> {
  const household = await getHousehold(db, householdId)
  const list = await db
    .selectFrom('lists')
    .select(['id', 'name'])
    .where('household_id', '=', householdId)
    .where('is_default', '=', 1)
    .executeTakeFirst()
  if (!list) throw notFound(`default list of household '${householdId}'`)
  const rows = await db
    .selectFrom('items')
    .select(ITEM_COLUMNS)
    .where('items.list_id', '=', list.id)
    .orderBy('items.checked', 'asc')
    // lower(coalesce()) rather than a collation: the same order on SQLite and PostgreSQL.
    .orderBy((eb) => eb.fn('lower', [eb.fn.coalesce('items.name', 'items.display_code')]), 'asc')
    .orderBy('items.updated_at', 'desc')
    .orderBy('items.id', 'asc')
    .execute()
  return { household, list, items: rows.map(toListItem) }
}

async function findItem(db: Kysely<Database>, householdId: string, itemId: string): Promise<ListItem> {
  const row = await db
    .selectFrom('items')
    .select(ITEM_COLUMNS)
    .where('items.id', '=', itemId)
    .where('items.list_id', 'in', householdListIds(db, householdId))
    .executeTakeFirst()
  // Another household's item is reported as missing, not forbidden: ids are not to be probed.
  if (!row) throw notFound(`item '${itemId}'`)
  return toListItem(row)
}

/** Checks, unchecks or sets the quantity (1..999) of an item on one of the household's lists. */
export async function updateItem(
  db: Db,
  householdId: string,
  itemId: string,
  patch: ItemPatch,
  ctx: ChangeContext,
): Promise<ListItem> {
  if (patch.checked === undefined && patch.quantity === undefined) {
    throw invalid('nothing to change: give checked or quantity')
  }
  const q = patch.quantity
  if (q !== undefined && (!Number.isInteger(q) || q < 1 || q > MAX_QUANTITY)) {
    throw invalid(`quantity must be a whole number from 1 to ${MAX_QUANTITY}`)
  }
  const now = ctx.now ?? Date.now()
  const item = await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('items')
      .set({
        updated_at: now,
        ...(patch.checked === undefined ? {} : { checked: patch.checked ? 1 : 0 }),
        ...(q === undefined ? {} : { quantity: q }),
      })
      .where('items.id', '=', itemId)
      .where('items.list_id', 'in', householdListIds(trx, householdId))
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) throw notFound(`item '${itemId}'`)
    return findItem(trx, householdId, itemId)
  })
  ctx.events.emit('change', { householdId, itemId, reason: 'edit' })
  return item
}

/** Removes an item from the household's list. The unknown-products inbox keeps its entry. */
export async function deleteItem(
  db: Db,
  householdId: string,
  itemId: string,
  ctx: ChangeContext,
): Promise<void> {
  const res = await db
    .deleteFrom('items')
    .where('items.id', '=', itemId)
    .where('items.list_id', 'in', householdListIds(db, householdId))
    .executeTakeFirst()
  if (Number(res.numDeletedRows) === 0) throw notFound(`item '${itemId}'`)
  ctx.events.emit('change', { householdId, itemId, reason: 'delete' })
}
