// One time-series point, the unit every sink stores. Shaped after InfluxDB's data model (measurement,
// indexed string tags, typed fields, a timestamp) so the Influx sink maps it one to one and the SQLite
// sink can answer the same queries.

export type FieldValue = number | boolean | string

export interface Point {
  /** What is measured: `scan`, `rejected`, `health`, ... */
  measurement: string
  /** Indexed, low-cardinality labels: household, agent, device, outcome. Never free text or ids per event. */
  tags: Record<string, string>
  fields: Record<string, FieldValue>
  /** Epoch milliseconds. InfluxDB keeps one point per measurement + tag set + ts: a later one replaces it. */
  ts: number
  /**
   * Names of the number fields that are integers. InfluxDB fixes a field's type at its first write and
   * refuses a float into an integer field (and the reverse), so the type must be stated, not guessed from
   * the value: every number field not named here is a float. Share one constant array per kind of point
   * (`const SCAN_INTS = ['count'] as const`) rather than allocating one per record.
   */
  ints?: readonly string[]
}

/**
 * Why a point cannot be stored, or undefined when it can. Cheap (no allocation on the good path): it runs
 * inside record(), on the hot path. A point InfluxDB would refuse must never reach a batch, because one
 * bad line makes the server reject the whole write.
 */
export function invalidReason(p: Point): string | undefined {
  if (typeof p !== 'object' || p === null) return 'not an object'
  if (typeof p.measurement !== 'string' || p.measurement === '') return 'empty measurement'
  if (!Number.isSafeInteger(p.ts) || p.ts <= 0) return 'ts is not a positive whole epoch ms'
  if (typeof p.tags !== 'object' || p.tags === null) return 'tags is not an object'
  for (const k in p.tags) {
    const v = p.tags[k]
    // Influx drops empty tag values silently; a non-string would be written as its String() form.
    if (typeof v !== 'string' || v === '') return `tag ${k} is not a non-empty string`
  }
  if (typeof p.fields !== 'object' || p.fields === null) return 'fields is not an object'
  let count = 0
  for (const k in p.fields) {
    const v = p.fields[k]
    count++
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `field ${k} is not finite`
    } else if (typeof v !== 'boolean' && typeof v !== 'string') return `field ${k} has an unstorable type`
  }
  if (count === 0) return 'no fields'
  if (p.ints !== undefined) {
    for (const k of p.ints) {
      const v = p.fields[k]
      if (v !== undefined && !Number.isSafeInteger(v))
        return `field ${k} is listed in ints but is not an integer`
    }
  }
  return undefined
}
