// Turns scan events into shopping-list changes, a batch at a time inside the ingest transaction (see
// scan-batch.ts for the few multi-row statements per batch that let one SQLite writer keep up).
//   add:    a new item, or one more; a checked item comes back with quantity 1
//   remove: one fewer; the last one is checked off; nothing to remove -> not_on_list
//   undo:   that device's last change reversed as an operation, not a snapshot, so what another
//           scanner did since is kept: an increment is taken back by one, a created item deleted
//           unless someone else has added to it, a check-off unchecked
import type { Ack, ScanEvent } from '@relais/hardware'
import { type BarcodeInfo, parseBarcode } from '@relais/hardware'
import type { Kysely } from 'kysely'
import { newId } from '../../lib/ids.js'
import type { Database } from '../../storage/schema.js'
import type { ListCache } from './list-cache.js'
import { type ItemRow, nextSeq, ScanBatch } from './scan-batch.js'

export interface ScanIn {
  agent: string
  device: string
  householdId: string | null
  eventId: string
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

const rejected = (reason: string, detail?: string): ScanApplied => ({
  ack: detail === undefined ? { outcome: 'rejected', reason } : { outcome: 'rejected', reason, detail },
})

export async function applyScans(
  trx: Kysely<Database>,
  scans: ScanIn[],
  opts: { now: number; debounceMs: number; cache?: ListCache },
): Promise<ScanApplied[]> {
  const results: Array<ScanApplied | undefined> = new Array(scans.length)
  const parsed: Array<BarcodeInfo | undefined> = scans.map((s) =>
    (s.data.mode ?? 'add') === 'undo' ? undefined : parseBarcode(s.data.code),
  )
  const usable: number[] = []
  /** Per device that may change or undo: [agent, device, undos sent]. */
  const devices = new Map<string, [string, string, number]>()
  scans.forEach((s, i) => {
    const b = parsed[i]
    if (s.householdId === null) results[i] = rejected('agent_not_placed', 'the agent belongs to no household')
    else if (b !== undefined && b.key === null) results[i] = rejected('invalid_barcode', b.error)
    else {
      usable.push(i)
      const k = `${s.agent}\n${s.device}`
      const d = devices.get(k) ?? [s.agent, s.device, 0]
      if (b === undefined) d[2]++
      devices.set(k, d)
    }
  })
  if (usable.length === 0) return results as ScanApplied[]

  const batch = new ScanBatch(trx, opts.cache)
  const scanned = new Map<string, [string, string]>()
  for (const i of usable) {
    const key = parsed[i]?.key
    const household = scans[i]!.householdId!
    if (key) scanned.set(`${household}\n${key}`, [household, key])
  }
  await batch.load(
    [...new Set(usable.map((i) => scans[i]!.householdId!))],
    [...scanned.values()],
    [...devices.values()],
  )
  for (const i of usable) {
    const s = scans[i]!
    const listId = batch.lists.get(s.householdId!)
    if (listId === undefined) results[i] = rejected('no_list', 'the household has no default list')
    else if (parsed[i] === undefined) results[i] = undo(batch, s, opts.now)
    else
      results[i] =
        (s.data.mode ?? 'add') === 'remove'
          ? remove(batch, s, listId, parsed[i]!, opts.now)
          : add(batch, s, listId, parsed[i]!, opts)
  }
  await batch.write()
  return results as ScanApplied[]
}

/** What a change did, enough to reverse it. */
type ChangeKind =
  | { kind: 'create' | 'increment' | 'decrement' | 'check' }
  | { kind: 'readd'; quantity: number }

function record(batch: ScanBatch, s: ScanIn, item: ItemRow, what: ChangeKind, now: number): void {
  batch.push({
    seq: nextSeq(now),
    agent_id: s.agent,
    device_id: s.device,
    event_id: s.eventId,
    item_id: item.id,
    before: JSON.stringify(what),
    created_at: now,
    undone_at: null,
    prev_seq: null,
  })
}

function add(
  batch: ScanBatch,
  s: ScanIn,
  listId: string,
  b: BarcodeInfo,
  o: { now: number; debounceMs: number },
): ScanApplied {
  const key = b.key!
  const name = batch.named.get(`${s.householdId}\n${key}`) ?? batch.catalogue.get(key) ?? null
  let item = batch.items.get(`${listId}\n${key}`)
  let outcome: Ack['outcome']
  let what: ChangeKind = { kind: 'create' }
  if (item === undefined) {
    item = {
      id: newId(),
      list_id: listId,
      code: key,
      display_code: b.display,
      name,
      quantity: 1,
      checked: 0,
      unknown: name === null ? 1 : 0,
      added_by: `${s.agent}/${s.device}`,
      first_scan_at: s.ts,
      last_scan_at: s.ts,
      last_scan_agent: s.agent,
      last_scan_device: s.device,
      created_at: o.now,
      updated_at: o.now,
    }
    batch.remember(item)
    outcome = 'added'
  } else if (
    item.checked === 0 &&
    item.last_scan_agent === s.agent &&
    item.last_scan_device === s.device &&
    item.last_scan_at !== null &&
    Math.abs(s.ts - Number(item.last_scan_at)) < o.debounceMs
  ) {
    // The same code from the same scanner within the window is one scan read twice (source time, so
    // a burst replayed from an outbox after an outage is judged as it happened).
    return { ack: { outcome: 'duplicate', item: ackItem(item) }, householdId: s.householdId! }
  } else {
    outcome = item.checked === 1 ? 'added' : 'incremented'
    what = item.checked === 1 ? { kind: 'readd', quantity: Number(item.quantity) } : { kind: 'increment' }
    item.quantity = item.checked === 1 ? 1 : Number(item.quantity) + 1
    item.checked = 0
    Object.assign(item, {
      last_scan_at: s.ts,
      last_scan_agent: s.agent,
      last_scan_device: s.device,
      updated_at: o.now,
    })
  }
  batch.touch(item)
  record(batch, s, item, what, o.now)
  if (item.unknown === 1) {
    outcome = 'unknown_product'
    const uk = `${s.householdId}\n${key}`
    const u = batch.unknown.get(uk)
    if (u) {
      u.scans += 1
      u.ts = Math.max(u.ts, s.ts)
    } else
      batch.unknown.set(uk, {
        household_id: s.householdId!,
        code: key,
        display_code: b.display,
        ts: s.ts,
        scans: 1,
      })
  }
  return {
    ack: { outcome, item: ackItem(item) },
    householdId: s.householdId!,
    changedItemId: item.id,
    unknownKey: item.unknown === 1 ? key : undefined,
  }
}

function remove(batch: ScanBatch, s: ScanIn, listId: string, b: BarcodeInfo, now: number): ScanApplied {
  const item = batch.items.get(`${listId}\n${b.key!}`)
  if (item === undefined || item.checked === 1)
    return { ack: { outcome: 'not_on_list' }, householdId: s.householdId! }
  const what: ChangeKind = Number(item.quantity) > 1 ? { kind: 'decrement' } : { kind: 'check' }
  if (what.kind === 'decrement') item.quantity = Number(item.quantity) - 1
  else item.checked = 1
  item.updated_at = now
  batch.touch(item)
  record(batch, s, item, what, now)
  return {
    ack: { outcome: 'removed', item: ackItem(item) },
    householdId: s.householdId!,
    changedItemId: item.id,
  }
}

function undo(batch: ScanBatch, s: ScanIn, now: number): ScanApplied {
  const change = batch.pop(s.agent, s.device, now)
  if (change === undefined) return { ack: { outcome: 'nothing_to_undo' }, householdId: s.householdId! }
  const item = batch.byId.get(change.item_id)
  const what = JSON.parse(change.before ?? '{"kind":"create"}') as ChangeKind
  // The item is gone (deleted from the list since): nothing left to reverse, the undo is still used up.
  if (item === undefined) return { ack: { outcome: 'undone' }, householdId: s.householdId! }
  const q = Number(item.quantity)
  // Creating and adding one are both "+1": taking back the last one takes the item off the list.
  const plusOne = what.kind === 'create' || what.kind === 'increment'
  if (plusOne && q <= 1 && item.checked === 0) {
    batch.forget(item)
    return {
      ack: { outcome: 'undone', item: { ...ackItem(item), quantity: 0 } },
      householdId: s.householdId!,
      changedItemId: item.id,
    }
  }
  if (plusOne) {
    if (item.checked === 0) item.quantity = q - 1
  } else if (what.kind === 'decrement') item.quantity = q + 1
  else if (what.kind === 'check') item.checked = 0
  else if (what.kind === 'readd') {
    item.checked = 1
    item.quantity = what.quantity
  }
  item.updated_at = now
  batch.touch(item)
  return {
    ack: { outcome: 'undone', item: ackItem(item) },
    householdId: s.householdId!,
    changedItemId: item.id,
  }
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
