// Writes products in batches: one transaction per batch, one SELECT to see what is already there, then
// multi-row upserts for only the rows that are new or changed, so re-importing an export rewrites nothing.
import type { Selectable } from 'kysely'
import type { Db } from '../storage/db.js'
import type { ProductsTable } from '../storage/schema.js'
import type { ProductFields } from './product-fields.js'

export type ProductSource = 'off-csv' | 'off-jsonl' | 'off-api'

/** A catalogue product as the rest of the service sees it. */
export interface CatalogueProduct {
  /** The products key: GTIN-14 for GTINs. */
  code: string
  name: string
  brands: string | null
  quantity: string | null
  imageUrl: string | null
  categories: string | null
  lang: string | null
  source: string
  updatedAt: number
}

export interface IncomingProduct {
  code: string
  fields: ProductFields
}

export interface WriteCounts {
  imported: number
  updated: number
  unchanged: number
  /** Codes already written earlier in this same run (same stamp): counted once, under skips. */
  duplicates: string[]
}

type Row = Selectable<ProductsTable>

// SQLite's default limit (since 3.32) on ? parameters per statement; PostgreSQL allows 65535.
const MAX_SQL_VARIABLES = 32_766
const COMPARED = ['name', 'brands', 'quantity', 'image_url', 'categories', 'lang'] as const

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function toCatalogueProduct(row: Row): CatalogueProduct | undefined {
  if (row.name === null) return undefined
  return {
    code: row.code,
    name: row.name,
    brands: row.brands,
    quantity: row.quantity,
    imageUrl: row.image_url,
    categories: row.categories,
    lang: row.lang,
    source: row.source,
    updatedAt: Number(row.updated_at),
  }
}

export async function readProduct(db: Db, code: string): Promise<CatalogueProduct | undefined> {
  const row = await db.selectFrom('products').selectAll().where('code', '=', code).executeTakeFirst()
  return row === undefined ? undefined : toCatalogueProduct(row)
}

/**
 * Upserts `items` (codes unique within the call) in one transaction. A field the source does not carry
 * (absent key, e.g. image_url in the JSONL export) keeps its stored value, so importing the JSONL after
 * the CSV does not wipe the CSV's images; a field it carries, even empty, replaces the stored one.
 * `stamp` is this run's updated_at: a stored row already bearing it was written earlier in the same run.
 */
export async function writeProducts(
  db: Db,
  items: IncomingProduct[],
  source: ProductSource,
  stamp: number,
): Promise<WriteCounts> {
  const counts: WriteCounts = { imported: 0, updated: 0, unchanged: 0, duplicates: [] }
  if (items.length === 0) return counts
  await db.transaction().execute(async (trx) => {
    const stored = new Map<string, Row>()
    for (const part of chunks(
      items.map((i) => i.code),
      MAX_SQL_VARIABLES,
    )) {
      const rows = await trx.selectFrom('products').selectAll().where('code', 'in', part).execute()
      for (const r of rows) stored.set(r.code, r)
    }
    const writes: Row[] = []
    for (const { code, fields } of items) {
      const old = stored.get(code)
      const base = old ?? {
        code,
        name: null,
        brands: null,
        quantity: null,
        image_url: null,
        categories: null,
        lang: null,
      }
      const next: Row = { ...base, ...fields, code, source, updated_at: stamp }
      const sameRun = old !== undefined && Number(old.updated_at) === stamp
      if (old !== undefined && COMPARED.every((k) => old[k] === next[k])) {
        if (sameRun) counts.duplicates.push(code)
        else counts.unchanged++
        continue
      }
      writes.push(next)
      if (sameRun) counts.duplicates.push(code)
      else if (old === undefined) counts.imported++
      else counts.updated++
    }
    for (const part of chunks(writes, Math.floor(MAX_SQL_VARIABLES / 9))) {
      await trx
        .insertInto('products')
        .values(part)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            brands: eb.ref('excluded.brands'),
            quantity: eb.ref('excluded.quantity'),
            image_url: eb.ref('excluded.image_url'),
            categories: eb.ref('excluded.categories'),
            lang: eb.ref('excluded.lang'),
            source: eb.ref('excluded.source'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute()
    }
  })
  return counts
}
