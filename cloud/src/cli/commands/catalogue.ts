// `relais catalogue import <file>`: loads an Open Food Facts export into the product catalogue.
import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { type ImportReport, importCatalogue } from '../../catalogue/importer.js'
import { OFF_FORMATS, type OffFormat } from '../../catalogue/records.js'
import { notFound } from '../../lib/errors.js'
import { type CliContext, type Command, print, UsageError, withDb } from '../context.js'

/** Redraws at most this often: a terminal cannot show more, and each redraw costs a write. */
const PROGRESS_EVERY_MS = 250
// Cursor up one line and clear it, so each progress line replaces the previous one.
const REDRAW = '\x1b[1A\x1b[2K'

export const catalogueImportCommand: Command = {
  name: 'catalogue import',
  summary: 'import an Open Food Facts export (CSV or JSONL, .gz too) into the product catalogue',
  usage: 'catalogue import <file> [--format csv|jsonl] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one export file')
    const file = positionals[0]!
    const format = values.format as OffFormat | undefined
    if (format !== undefined && !OFF_FORMATS.includes(format)) {
      throw new UsageError(`--format must be ${OFF_FORMATS.join(' or ')}, not '${format}'`)
    }
    if (!existsSync(file)) throw notFound(`file ${file}`)

    const progress = ctx.isTTY ? progressLine(ctx) : undefined
    const report = await withDb(ctx, (db) => importCatalogue({ db, file, format, onProgress: progress }))
    print(ctx, report, summary(report))
    return 0
  },
}

function progressLine(ctx: CliContext): (p: { lines: number; elapsedMs: number }) => void {
  let drawn = false
  let last = 0
  return ({ lines, elapsedMs }) => {
    if (drawn && elapsedMs - last < PROGRESS_EVERY_MS) return
    last = elapsedMs
    const rate = elapsedMs > 0 ? Math.round(lines / (elapsedMs / 1000)) : 0
    ctx.err(
      `${drawn ? REDRAW : ''}importing: ${lines.toLocaleString('en')} rows, ${rate.toLocaleString('en')} rows/s`,
    )
    drawn = true
  }
}

function summary(r: ImportReport): string {
  const reasons = Object.entries(r.skippedReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `  ${reason}: ${n} (e.g. line ${r.skippedExamples[reason]?.join(', ')})`)
  return [
    `${basename(r.file)} (${r.format}): ${r.lines} rows in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  imported ${r.imported} new, updated ${r.updated}, unchanged ${r.unchanged}, skipped ${r.skipped}`,
    ...reasons,
  ].join('\n')
}
