// Imports an Open Food Facts export (CSV or JSONL, optionally .gz) into the products table, streaming:
// memory stays at one batch however large the file. A bad line is counted with its reason and skipped;
// only an unreadable file or a header that is not OFF's stops the import.
import type { Logger } from '../lib/logger.js'
import type { Db } from '../storage/db.js'
import { openText, readLines } from './lines.js'
import { OffCsvReader } from './off-csv.js'
import { OffJsonlReader } from './off-jsonl.js'
import { productFields, productKey } from './product-fields.js'
import { type IncomingProduct, type ProductSource, writeProducts } from './product-store.js'
import { guessFormat, isBad, type OffFormat, type OffReader } from './records.js'

export interface ImportReport {
  file: string
  format: OffFormat
  /** Data lines read: header and blank lines not included. */
  lines: number
  imported: number
  updated: number
  unchanged: number
  skipped: number
  skippedReasons: Record<string, number>
  /** The first few line numbers per skip reason, to find them in the file. */
  skippedExamples: Record<string, number[]>
  durationMs: number
}

export interface ImportProgress {
  lines: number
  elapsedMs: number
}

export interface ImportOptions {
  db: Db
  file: string
  /** Default: from the extension, else from the first line. */
  format?: OffFormat
  /** Products per transaction; default 500. */
  batchSize?: number
  log?: Logger
  /** Called after each batch is written. */
  onProgress?: (p: ImportProgress) => void
}

const EXAMPLES_PER_REASON = 5
let lastStamp = 0

/** updated_at for one run, unique within this process so two quick runs never share one. */
function runStamp(): number {
  lastStamp = Math.max(Date.now(), lastStamp + 1)
  return lastStamp
}

export async function importCatalogue(opts: ImportOptions): Promise<ImportReport> {
  const started = performance.now()
  const log = opts.log?.child({ module: 'catalogue' })
  const batchSize = opts.batchSize ?? 500
  const stamp = runStamp()
  const report: ImportReport = {
    file: opts.file,
    format: opts.format ?? guessFormat(opts.file, ''),
    lines: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    skippedReasons: {},
    skippedExamples: {},
    durationMs: 0,
  }
  const skip = (line: number, reason: string) => {
    report.skipped++
    report.skippedReasons[reason] = (report.skippedReasons[reason] ?? 0) + 1
    const ex = report.skippedExamples[reason] ?? []
    if (ex.length < EXAMPLES_PER_REASON) report.skippedExamples[reason] = [...ex, line]
    log?.debug({ line, reason }, 'catalogue line skipped')
  }

  let reader: OffReader | undefined
  let source: ProductSource = 'off-csv'
  // Last occurrence of a code wins within a batch; the earlier one is a counted duplicate. Across
  // batches the run stamp tells (see writeProducts), except after an unchanged first occurrence, which
  // leaves no stamp: exact only with a set of every code seen, too big for a full export.
  let batch = new Map<string, IncomingProduct & { line: number }>()
  const flush = async () => {
    const c = await writeProducts(opts.db, [...batch.values()], source, stamp)
    report.imported += c.imported
    report.updated += c.updated
    report.unchanged += c.unchanged
    // A code written by an earlier batch of this run: its first occurrence is already counted.
    for (const code of c.duplicates) skip(batch.get(code)?.line ?? 0, 'duplicate_code')
    batch = new Map()
    opts.onProgress?.({ lines: report.lines, elapsedMs: performance.now() - started })
  }

  for await (const lines of readLines(openText(opts.file))) {
    for (const line of lines) {
      if (line.tooLong) {
        report.lines++
        skip(line.n, 'line_too_long')
        continue
      }
      if (!/\S/.test(line.text)) continue
      if (reader === undefined) {
        report.format = opts.format ?? guessFormat(opts.file, line.text)
        reader = report.format === 'csv' ? new OffCsvReader() : new OffJsonlReader()
        source = report.format === 'csv' ? 'off-csv' : 'off-jsonl'
      }
      const rec = reader.read(line)
      if (rec === undefined) continue
      report.lines++
      if (isBad(rec)) {
        skip(rec.line, rec.reason)
        continue
      }
      const key = productKey(rec.fields.code)
      if ('skip' in key) {
        skip(rec.line, key.skip)
        continue
      }
      const fields = productFields(rec.fields)
      if ('skip' in fields) {
        skip(rec.line, fields.skip)
        continue
      }
      const earlier = batch.get(key.key)
      if (earlier !== undefined) {
        skip(earlier.line, 'duplicate_code')
        batch.delete(key.key) // re-inserted below, so the Map keeps file order
      }
      batch.set(key.key, { code: key.key, fields, line: rec.line })
      if (batch.size >= batchSize) await flush()
    }
  }
  await flush()
  report.durationMs = Math.round(performance.now() - started)
  log?.info(
    { file: opts.file, format: report.format, lines: report.lines, imported: report.imported },
    'catalogue import done',
  )
  return report
}
