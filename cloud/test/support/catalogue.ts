// A product put straight into the catalogue, as an import would leave it: by its lookup key (the GTIN-14
// parseBarcode gives), with a name and nothing else.
import type { Db } from '../../src/storage/db.js'

export async function addProduct(db: Db, key: string, name: string): Promise<void> {
  await db
    .insertInto('products')
    .values({
      code: key,
      name,
      brands: null,
      quantity: null,
      image_url: null,
      categories: null,
      lang: null,
      source: 'test',
      updated_at: 0,
    })
    .execute()
}
