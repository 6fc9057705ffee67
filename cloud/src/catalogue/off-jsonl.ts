// The Open Food Facts JSONL export (openfoodfacts-products.jsonl): one product object per line. A line
// that is not a JSON object is skipped on its own; the rest of the file still imports.
import type { Line } from './lines.js'
import type { BadLine, OffReader, OffRecord } from './records.js'

export class OffJsonlReader implements OffReader {
  read(line: Line): OffRecord | BadLine {
    let value: unknown
    try {
      value = JSON.parse(line.n === 1 ? line.text.replace(/^\uFEFF/, '') : line.text)
    } catch {
      return { line: line.n, reason: 'bad_json' }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line: line.n, reason: 'not_object' }
    }
    return { line: line.n, fields: value as Record<string, unknown> }
  }
}
