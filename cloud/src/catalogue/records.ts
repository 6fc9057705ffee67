// What the format readers hand to the importer: one product as the export wrote it, or a line that
// could not be read and why. Readers parse one line at a time so the importer can stream.
import type { Line } from './lines.js'

export type OffFormat = 'csv' | 'jsonl'
export const OFF_FORMATS: readonly OffFormat[] = ['csv', 'jsonl']

/** One export row, fields uncleaned: CSV values are strings, JSONL values whatever the JSON held. */
export interface OffRecord {
  line: number
  /** Only the fields the export has: a field missing here is one the export does not carry. */
  fields: Record<string, unknown>
}

export interface BadLine {
  line: number
  reason: string
}

export interface OffReader {
  /** A record, a bad line, or undefined for a line that holds no product (the CSV header). */
  read(line: Line): OffRecord | BadLine | undefined
}

export const isBad = (x: OffRecord | BadLine): x is BadLine => 'reason' in x

/** `--format` wins; then the extension (under any .gz); then the first line: `{` means JSONL. */
export function guessFormat(file: string, firstLine: string): OffFormat {
  const name = file.toLowerCase().replace(/\.gz$/, '')
  if (/\.(csv|tsv|txt)$/.test(name)) return 'csv'
  if (/\.(jsonl|ndjson|json)$/.test(name)) return 'jsonl'
  return firstLine
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'jsonl'
    : 'csv'
}
