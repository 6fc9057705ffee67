// Households own shopping lists; each gets a default list and an API token when it is created.
import { assertId } from '@relais/hardware'
import { conflict, notFound } from '../../lib/errors.js'
import { newId } from '../../lib/ids.js'
import type { Db } from '../../storage/db.js'
import { createToken } from '../tokens/tokens.js'

export interface HouseholdCreated {
  household: { id: string; name: string }
  defaultList: { id: string; name: string }
  token: string
}

export async function createHousehold(
  db: Db,
  input: { id: string; name?: string },
  now = Date.now(),
): Promise<HouseholdCreated> {
  const id = assertId('household', input.id)
  const name = input.name?.trim() || id
  const listId = newId()
  const token = await db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('households').select('id').where('id', '=', id).executeTakeFirst()
    if (existing) throw conflict(`household '${id}' already exists`)
    await trx.insertInto('households').values({ id, name, created_at: now }).execute()
    await trx
      .insertInto('lists')
      .values({ id: listId, household_id: id, name: 'Shopping list', is_default: 1, created_at: now })
      .execute()
    return createToken(trx, { scope: 'household', householdId: id, name: `${id} household` }, now)
  })
  return { household: { id, name }, defaultList: { id: listId, name: 'Shopping list' }, token }
}

export async function getHousehold(db: Db, id: string): Promise<{ id: string; name: string }> {
  const row = await db.selectFrom('households').select(['id', 'name']).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`household '${id}'`)
  return row
}

export async function defaultListId(db: Db, householdId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('lists')
    .select('id')
    .where('household_id', '=', householdId)
    .where('is_default', '=', 1)
    .executeTakeFirst()
  return row?.id
}
