// Point to the `influx` client's IPoint, with the integer fields marked as such.
import { type IPoint, escape as influxEscape } from 'influx'
import type { FieldValue, Point } from './point.js'

/**
 * Without a schema the client writes a non-string field as String(value); an object whose string form is
 * `12i` therefore comes out as a line-protocol integer, while plain numbers stay floats.
 */
class LineInteger {
  constructor(private readonly value: number) {}
  toString(): string {
    return `${this.value}i`
  }
}

export function toIPoint(p: Point): IPoint {
  let fields: Record<string, FieldValue | LineInteger> = p.fields
  if (p.ints !== undefined && p.ints.length > 0) {
    fields = { ...p.fields }
    for (const k of p.ints)
      if (typeof fields[k] === 'number') fields[k] = new LineInteger(fields[k] as number)
  }
  // The client escapes tag keys, tag values and field keys, but writes the measurement as given.
  return { measurement: influxEscape.measurement(p.measurement), tags: p.tags, fields, timestamp: p.ts }
}
