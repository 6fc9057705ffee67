// Reads a text file line by line without holding it in memory: real Open Food Facts exports are several
// GB (tens of GB unpacked), so nothing here may buffer more than one chunk plus one partial line.
import { createReadStream } from 'node:fs'
import { pipeline, type Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip } from 'node:zlib'

export interface Line {
  /** 1-based physical line number in the (unpacked) file, for skip reports. */
  n: number
  text: string
  /** Longer than MAX_LINE: its text was dropped (empty here) rather than buffered. */
  tooLong?: true
}

/** OFF lines reach about 10 kB; a file without newlines (binary, wrong file) must not fill memory. */
export const MAX_LINE = 4 << 20

/** Opens `file`, unpacking it with zlib when the name ends in .gz. */
export function openText(file: string): Readable {
  const raw = createReadStream(file)
  if (!file.toLowerCase().endsWith('.gz')) return raw
  const gunzip = createGunzip()
  // pipeline destroys gunzip with the read error, so a missing or unreadable file reaches the reader.
  pipeline(raw, gunzip, () => {})
  return gunzip
}

/**
 * Yields lines in chunks (one array per read chunk) rather than one by one: an await per line costs
 * more than parsing a short line. LF and CRLF endings both work; a last line without LF is yielded too,
 * so a truncated file still reports its last (broken) line.
 */
export async function* readLines(input: Readable): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder('utf8')
  let rest = ''
  let tooLong = false
  let n = 0
  const line = (text: string): Line => {
    n++
    if (tooLong) return { n, text: '', tooLong: true }
    return { n, text: text.endsWith('\r') ? text.slice(0, -1) : text }
  }
  for await (const chunk of input) {
    const text = decoder.write(chunk as Buffer)
    let i = text.indexOf('\n')
    if (i === -1) {
      rest += text
      if (rest.length > MAX_LINE) [rest, tooLong] = ['', true]
      continue
    }
    // Only the partial line carried over is concatenated, never the whole chunk.
    const out: Line[] = [line(rest + text.slice(0, i))]
    tooLong = false
    let start = i + 1
    for (i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', start)) {
      out.push(line(text.slice(start, i)))
      start = i + 1
    }
    rest = text.slice(start)
    yield out
  }
  rest += decoder.end()
  if (rest !== '' || tooLong) yield [line(rest)]
}
