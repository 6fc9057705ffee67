// GS1 element strings: AI + data, repeated. Two spellings reach us: what a scanner sends for GS1-128,
// DataBar, DataMatrix, QR and DotCode (FNC1 transmitted as GS, 0x1d, after each variable-length field),
// and the human-readable interpretation with the AIs in parentheses, "(01)03017620422003(17)261231".
import { checkDigitError } from './check-digit.js'
import { type AiSpec, aiSpec, lookupAi, valueFits } from './gs1-ais.js'

export const GS = '\x1d'

/**
 * `fields` keeps the order the AIs were read in; `ai` is the same as a record (whose key order JavaScript
 * decides: "10" sorts before "01", which is not an integer key).
 */
export type ElementString =
  | { ok: true; fields: [ai: string, value: string][]; ai: Record<string, string> }
  | { ok: false; error: string }

/** Does `text` look like the parenthesised form: starts with "(" + 2-4 digits + ")"? */
export function isBracketed(text: string): boolean {
  return /^\(\d{2,4}\)/.test(text)
}

/** The bracketed human-readable form of parsed fields. */
export function toBracketed(fields: [string, string][]): string {
  return fields.map(([ai, value]) => `(${ai})${value}`).join('')
}

function done(fields: [string, string][]): ElementString {
  return { ok: true, fields, ai: Object.fromEntries(fields) }
}

function checkField(ai: string, spec: AiSpec, value: string, fields: [string, string][]): string | undefined {
  if (fields.some(([seen]) => seen === ai)) return `AI ${ai} appears twice`
  if (value.length < spec.min || value.length > spec.max) {
    const want = spec.min === spec.max ? `${spec.max}` : `${spec.min}-${spec.max}`
    return `AI ${ai} needs ${want} characters, got ${value.length}`
  }
  if (!valueFits(spec, value)) {
    return `AI ${ai} ${spec.charset === 'N' ? 'must be digits' : 'has a character outside its character set'}`
  }
  // The GTINs' check digits (01, 02) are judged by the caller, which reports a wrong one as an invalid
  // GTIN rather than as a broken element string.
  if (spec.checkDigit && ai !== '01' && ai !== '02') {
    const bad = checkDigitError(value)
    if (bad !== undefined) return `AI ${ai}: ${bad}`
  }
  return undefined
}

/**
 * Parses the scanner form: fixed-length AIs of the predefined-length table take exactly their length;
 * every other AI runs to the next GS or the end (GS1 General Specifications, concatenation of element strings;
 * a GS after a predefined-length field is redundant but tolerated). A leading GS (FNC1 in first position
 * passed through by some scanners) is skipped.
 */
export function parseElementString(data: string): ElementString {
  const fields: [string, string][] = []
  let i = data.startsWith(GS) ? 1 : 0
  if (i >= data.length) return { ok: false, error: 'empty element string' }
  while (i < data.length) {
    const found = lookupAi(data, i)
    if (found === undefined) {
      const at = data.slice(i, i + 4).replaceAll(GS, '<GS>')
      return { ok: false, error: `unknown application identifier at offset ${i}: '${at}'` }
    }
    const { ai, spec } = found
    const start = i + ai.length
    let value: string
    if (spec.predefined) {
      value = data.slice(start, start + spec.max)
      i = start + spec.max
      if (data[i] === GS) i++
    } else {
      const gs = data.indexOf(GS, start)
      value = data.slice(start, gs === -1 ? data.length : gs)
      i = gs === -1 ? data.length : gs + 1
    }
    const bad = checkField(ai, spec, value, fields)
    if (bad !== undefined) return { ok: false, error: bad }
    fields.push([ai, value])
  }
  return done(fields)
}

/**
 * Parses "(01)03017620422003(17)261231(10)LOT1". A value runs to the next "(digits)" group, so a value
 * cannot itself contain "(" followed by digits and ")".
 */
export function parseBracketed(data: string): ElementString {
  const fields: [string, string][] = []
  const group = /\((\d{2,4})\)/g
  const starts = [...data.matchAll(group)]
  if (starts.length === 0 || starts[0]!.index !== 0)
    return { ok: false, error: 'expected "(AI)" at the start' }
  for (const [n, m] of starts.entries()) {
    const ai = m[1]!
    const spec = aiSpec(ai)
    if (spec === undefined) return { ok: false, error: `unknown application identifier (${ai})` }
    const end = starts[n + 1]?.index ?? data.length
    const value = data.slice(m.index + m[0].length, end)
    const bad = checkField(ai, spec, value, fields)
    if (bad !== undefined) return { ok: false, error: bad }
    fields.push([ai, value])
  }
  return done(fields)
}
