// The Open Food Facts CSV export (en.openfoodfacts.org.products.csv): tab-separated, one header row,
// and no quoting at all. A `"` is an ordinary character (`Vegetarian "Bo Kho" Seasoning`), no field
// holds a tab or a newline, so a field is exactly what lies between two tabs. An RFC 4180 parser would
// choke on those bare quotes, hence this small reader instead of a CSV library.
import { RelaisError } from '../lib/errors.js'
import type { Line } from './lines.js'
import type { BadLine, OffReader, OffRecord } from './records.js'

/** Columns the catalogue uses; mapped by header name because older exports order them differently. */
const WANTED = new Set([
  'code',
  'generic_name',
  'quantity',
  'brands',
  'categories_tags',
  'image_url',
  'lang',
  'lc',
])
const wanted = (name: string) =>
  WANTED.has(name) || name === 'product_name' || name.startsWith('product_name_')

export class OffCsvReader implements OffReader {
  private columns: Array<[name: string, index: number]> | undefined
  private width = 0

  read(line: Line): OffRecord | BadLine | undefined {
    const cells = line.text.split('\t')
    if (this.columns === undefined) {
      this.header(cells.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim()))
      return undefined
    }
    // A truncated or joined line has the wrong width; its cells cannot be trusted to be in place.
    if (cells.length !== this.width) return { line: line.n, reason: 'bad_columns' }
    const fields: Record<string, unknown> = {}
    for (const [name, i] of this.columns) fields[name] = cells[i]
    return { line: line.n, fields }
  }

  private header(names: string[]): void {
    const columns: Array<[string, number]> = []
    names.forEach((name, i) => {
      if (wanted(name)) columns.push([name, i])
    })
    const has = (n: string) => names.includes(n)
    if (!has('code') || !(has('product_name') || has('generic_name'))) {
      throw new RelaisError(
        'bad_file',
        'not an Open Food Facts CSV export: the first line must be a tab-separated header with code and product_name',
      )
    }
    this.columns = columns
    this.width = names.length
  }
}
