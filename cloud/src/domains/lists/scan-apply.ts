// Turns scan events into shopping-list changes, a batch at a time inside the ingest transaction: a few
// multi-row statements per batch instead of several per scan, which is what lets one SQLite writer keep
// up with thousands of scans a second while fsyncing every commit.
import type { Ack, ScanEvent } from '@relais/hardware'
import { parseBarcode } from '@relais/hardware'
import type { Kysely } from 'kysely'
import { newId } from '../../lib/ids.js'
import type { Database, ItemsTable } from '../../storage/schema.js'

export interface ScanIn {
  agent: string
  device: string
  householdId: string | null
  ts: number
  data: ScanEvent
}

export interface ScanApplied {
  ack: Ack
  householdId?: string
  /** Set when the list changed, for live views. */
  changedItemId?: string
  /** Set for a product the catalogue does not know, for the online lookup. */
  unknownKey?: string
}

type ItemRow = ItemsTable
const CHUNK = 400 // below SQLite's bound-parameter limit for the widest statement here

function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}

const rejected = (reason: string, detail?: string): ScanApplied => ({
  ack: detail === undefined ? { outcome: 'rejected', reason } : { outcome: 'rejected', reason, detail },
})

export async function applyScans(
  trx: Kysely<Database>,
  scans: ScanIn[],
  opts: { now: number; debounceMs: number },
): Promise<ScanApplied[]> {
  const results: Array<ScanApplied | undefined> = new Array(scans.length)
  const parsed = scans.map((s) => parseBarcode(s.data.code))
  const usable: number[] = []
  scans.forEach((s, i) => {
    const b = parsed[i]!
    if ((s.data.mode ?? 'add') !== 'add') results[i] = rejected('mode_not_supported', `mode '${s.data.mode}'`)
    else if (s.householdId === null)
      results[i] = rejected('agent_not_placed', 'the agent belongs to no household')
    else if (b.key === null) results[i] = rejected('invalid_barcode', b.error)
    else usable.push(i)
  })
  if (usable.length === 0) return results as ScanApplied[]

  const households = [...new Set(usable.map((i) => scans[i]!.householdId!))]
  const keys = [...new Set(usable.map((i) => parsed[i]!.key!))]
  const lists = new Map<string, string>()
  for (const part of chunks(households)) {
    const rows = await trx
      .selectFrom('lists')
      .select(['id', 'household_id'])
      .where('household_id', 'in', part)
      .where('is_default', '=', 1)
      .execute()
    for (const r of rows) lists.set(r.household_id, r.id)
  }
  const catalogue = new Map<string, string | null>()
  const named = new Map<string, string>()
  const items = new Map<string, ItemRow>()
  for (const part of chunks(keys)) {
    for (const p of await trx
      .selectFrom('products')
      .select(['code', 'name'])
      .where('code', 'in', part)
      .execute()) {
      catalogue.set(p.code, p.name)
    }
    const hp = await trx
      .selectFrom('household_products')
      .select(['household_id', 'code', 'name'])
      .where('household_id', 'in', households)
      .where('code', 'in', part)
      .execute()
    for (const p of hp) named.set(`${p.household_id}\n${p.code}`, p.name)
    const rows = await trx
      .selectFrom('items')
      .selectAll()
      .where('list_id', 'in', [...lists.values()])
      .where('code', 'in', part)
      .execute()
    for (const r of rows) items.set(`${r.list_id}\n${r.code}`, r)
  }

  const dirty = new Map<string, ItemRow>()
  const unknown = new Map<
    string,
    { household_id: string; code: string; display_code: string; ts: number; scans: number }
  >()
  for (const i of usable) {
    const s = scans[i]!
    const b = parsed[i]!
    const key = b.key!
    const listId = lists.get(s.householdId!)
    if (listId === undefined) {
      results[i] = rejected('no_list', 'the household has no default list')
      continue
    }
    const name = named.get(`${s.householdId}\n${key}`) ?? catalogue.get(key) ?? null
    const isUnknown = name === null
    let item = items.get(`${listId}\n${key}`)
    let outcome: Ack['outcome']
    if (item === undefined) {
      item = {
        id: newId(),
        list_id: listId,
        code: key,
        display_code: b.display,
        name,
        quantity: 1,
        checked: 0,
        unknown: isUnknown ? 1 : 0,
        added_by: `${s.agent}/${s.device}`,
        first_scan_at: s.ts,
        last_scan_at: s.ts,
        last_scan_agent: s.agent,
        last_scan_device: s.device,
        created_at: opts.now,
        updated_at: opts.now,
      }
      items.set(`${listId}\n${key}`, item)
      outcome = 'added'
    } else if (
      item.checked === 0 &&
      item.last_scan_agent === s.agent &&
      item.last_scan_device === s.device &&
      item.last_scan_at !== null &&
      Math.abs(s.ts - Number(item.last_scan_at)) < opts.debounceMs
    ) {
      // The same code from the same scanner within the window is one scan read twice (source time, so
      // a burst replayed from an outbox after an outage is judged as it happened).
      results[i] = { ack: { outcome: 'duplicate', item: ackItem(item) }, householdId: s.householdId! }
      continue
    } else {
      if (item.checked === 1) {
        item.checked = 0
        item.quantity = 1
        outcome = 'added'
      } else {
        item.quantity += 1
        outcome = 'incremented'
      }
      item.last_scan_at = s.ts
      item.last_scan_agent = s.agent
      item.last_scan_device = s.device
      item.updated_at = opts.now
    }
    dirty.set(item.id, item)
    if (item.unknown === 1) {
      outcome = 'unknown_product'
      const uk = `${s.householdId}\n${key}`
      const u = unknown.get(uk)
      if (u) {
        u.scans += 1
        u.ts = Math.max(u.ts, s.ts)
      } else
        unknown.set(uk, {
          household_id: s.householdId!,
          code: key,
          display_code: b.display,
          ts: s.ts,
          scans: 1,
        })
    }
    results[i] = {
      ack: { outcome, item: ackItem(item) },
      householdId: s.householdId!,
      changedItemId: item.id,
      unknownKey: item.unknown === 1 ? key : undefined,
    }
  }

  for (const part of chunks([...dirty.values()], 200)) {
    await trx
      .insertInto('items')
      .values(part)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          quantity: eb.ref('excluded.quantity'),
          checked: eb.ref('excluded.checked'),
          last_scan_at: eb.ref('excluded.last_scan_at'),
          last_scan_agent: eb.ref('excluded.last_scan_agent'),
          last_scan_device: eb.ref('excluded.last_scan_device'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  }
  for (const part of chunks([...unknown.values()], 200)) {
    await trx
      .insertInto('unknown_products')
      .values(
        part.map((u) => ({
          household_id: u.household_id,
          code: u.code,
          display_code: u.display_code,
          first_seen: u.ts,
          last_seen: u.ts,
          scans: u.scans,
          named_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['household_id', 'code']).doUpdateSet((eb) => ({
          scans: eb('unknown_products.scans', '+', eb.ref('excluded.scans')),
          last_seen: eb.ref('excluded.last_seen'),
        })),
      )
      .execute()
  }
  return results as ScanApplied[]
}

export function ackItem(item: ItemRow): NonNullable<Ack['item']> {
  return {
    id: item.id,
    code: item.display_code,
    name: item.name,
    quantity: Number(item.quantity),
    checked: item.checked === 1,
  }
}
