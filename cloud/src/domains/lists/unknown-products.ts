// The unknown-products inbox: codes a household scanned that neither the catalogue nor the household had
// a name for. Naming one there is the household's own name for that code from then on: scan-apply.ts
// prefers household_products over the catalogue, and the items already on the lists are renamed now.
import { invalid, notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { getHousehold } from '../households/households.js'
import { type ChangeContext, householdListIds } from './list-service.js'

export interface UnknownProduct {
  /** As people read it (EAN-13, UPC-A, the plain code). */
  code: string
  /** The lookup key, as items carry it; the HTTP API names a product by it. */
  key: string
  firstSeen: number
  lastSeen: number
  scans: number
  /** How many items on the household's lists carry this code. */
  items: number
}

export interface ProductNamed {
  key: string
  name: string
  /** How many items on the household's lists were renamed. */
  renamed: number
}

export const MAX_NAME_LENGTH = 200

/** The inbox: codes still unnamed, most recently scanned first. */
export async function listUnknown(db: Db, householdId: string): Promise<UnknownProduct[]> {
  await getHousehold(db, householdId)
  const rows = await db
    .selectFrom('unknown_products as u')
    .select((eb) => [
      'u.code',
      'u.display_code',
      'u.first_seen',
      'u.last_seen',
      'u.scans',
      eb
        .selectFrom('items')
        .select((e) => e.fn.countAll().as('n'))
        .whereRef('items.code', '=', 'u.code')
        .where('items.list_id', 'in', householdListIds(db, householdId))
        .as('items'),
    ])
    .where('u.household_id', '=', householdId)
    .where('u.named_at', 'is', null)
    .orderBy('u.last_seen', 'desc')
    .orderBy('u.code', 'asc')
    .execute()
  return rows.map((r) => ({
    code: r.display_code,
    key: r.code,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    scans: Number(r.scans),
    items: Number(r.items ?? 0),
  }))
}

/**
 * Names a product for one household, in one transaction: the household's name for the code, the inbox
 * entry marked named, and every item of the household with that code renamed and no longer unknown.
 */
export async function nameProduct(
  db: Db,
  householdId: string,
  code: string,
  input: { name: string },
  ctx: ChangeContext,
): Promise<ProductNamed> {
  const name = input.name.trim()
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw invalid(`name must be 1 to ${MAX_NAME_LENGTH} characters`)
  }
  const now = ctx.now ?? Date.now()
  const renamedIds = await db.transaction().execute(async (trx) => {
    const items = await trx
      .selectFrom('items')
      .select('items.id')
      .where('items.code', '=', code)
      .where('items.list_id', 'in', householdListIds(trx, householdId))
      .execute()
    const inbox = await trx
      .selectFrom('unknown_products')
      .select('named_at')
      .where('household_id', '=', householdId)
      .where('code', '=', code)
      .executeTakeFirst()
    // A code already named (its inbox entry closed) may be renamed; one the household never scanned may
    // not, or any token holder could plant names for arbitrary codes.
    const named = await trx
      .selectFrom('household_products')
      .select('code')
      .where('household_id', '=', householdId)
      .where('code', '=', code)
      .executeTakeFirst()
    if (items.length === 0 && inbox === undefined && named === undefined) {
      throw notFound(`product '${code}' in household '${householdId}'`)
    }
    await trx
      .insertInto('household_products')
      .values({ household_id: householdId, code, name, named_at: now })
      .onConflict((oc) => oc.columns(['household_id', 'code']).doUpdateSet({ name, named_at: now }))
      .execute()
    if (inbox !== undefined && inbox.named_at === null) {
      await trx
        .updateTable('unknown_products')
        .set({ named_at: now })
        .where('household_id', '=', householdId)
        .where('code', '=', code)
        .execute()
    }
    if (items.length > 0) {
      await trx
        .updateTable('items')
        .set({ name, unknown: 0, updated_at: now })
        .where('items.code', '=', code)
        .where('items.list_id', 'in', householdListIds(trx, householdId))
        .execute()
    }
    return items.map((i) => i.id)
  })
  if (renamedIds.length === 0) ctx.events.emit('change', { householdId, reason: 'rename' })
  for (const itemId of renamedIds) ctx.events.emit('change', { householdId, itemId, reason: 'rename' })
  return { key: code, name, renamed: renamedIds.length }
}
