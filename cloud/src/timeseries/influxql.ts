// SeriesQuery to InfluxQL. Identifiers go through the client's escaping (escape.quoted), tag values are
// bound parameters ($w0, ...) that the server substitutes, and the only numbers written into the text are
// ones checkQuery proved to be safe integers: no caller's string is ever pasted into a statement.
import { escape as influxEscape } from 'influx'
import type { SeriesDelete, SeriesQuery } from './sink.js'

export interface InfluxQl {
  query: string
  placeholders: Record<string, string>
}

export function buildInfluxQl(
  q: SeriesQuery & { where: Record<string, string>; limit: number },
  retentionPolicy: string,
): InfluxQl {
  const placeholders: Record<string, string> = {}
  const where = [`time >= ${q.from}ms`, `time < ${q.to}ms`]
  Object.entries(q.where).forEach(([k, v], i) => {
    where.push(`${influxEscape.quoted(k)} = $w${i}`)
    placeholders[`w${i}`] = v
  })
  const from = `${influxEscape.quoted(retentionPolicy)}.${influxEscape.quoted(q.measurement)}`
  const d = q.downsample
  let select: string
  let groupBy: string
  if (d === undefined) {
    select = q.fields === undefined ? '*' : q.fields.map((f) => influxEscape.quoted(f)).join(', ')
    // GROUP BY * puts the tags of each series beside its rows instead of mixing them with the fields.
    groupBy = 'GROUP BY *'
  } else {
    select = (q.fields ?? [])
      .map((f) => `${d.agg}(${influxEscape.quoted(f)}) AS ${influxEscape.quoted(f)}`)
      .join(', ')
    const tags = (d.groupBy ?? []).map((t) => `, ${influxEscape.quoted(t)}`).join('')
    groupBy = `GROUP BY time(${d.everyMs}ms)${tags} fill(none)`
  }
  // LIMIT applies per series here; the sink merges the series and cuts to the limit again.
  return {
    query: `SELECT ${select} FROM ${from} WHERE ${where.join(' AND ')} ${groupBy} LIMIT ${q.limit}`,
    placeholders,
  }
}

/**
 * A deletion as statements, one per measurement: DROP SERIES (tags only: the series go whole, in every
 * retention policy) or DELETE (with a time limit). Tag values are bound parameters, as in queries.
 */
export function buildInfluxDeletes(d: SeriesDelete & { where: Record<string, string> }): InfluxQl[] {
  return d.measurements.map((m) => {
    const placeholders: Record<string, string> = {}
    const where: string[] = []
    Object.entries(d.where).forEach(([k, v], i) => {
      where.push(`${influxEscape.quoted(k)} = $w${i}`)
      placeholders[`w${i}`] = v
    })
    const from = influxEscape.quoted(m)
    if (d.before === undefined)
      return { query: `DROP SERIES FROM ${from} WHERE ${where.join(' AND ')}`, placeholders }
    where.push(`time < ${d.before}ms`)
    return { query: `DELETE FROM ${from} WHERE ${where.join(' AND ')}`, placeholders }
  })
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/**
 * Seconds in an InfluxDB duration, either as configured (`90d`, `12w`, `INF`) or as SHOW RETENTION
 * POLICIES prints it (`2160h0m0s`, `0s` for infinite); 0 means infinite.
 */
export function durationSeconds(d: string): number {
  if (d === 'INF') return 0
  let total = 0
  for (const [, n, unit] of d.matchAll(/(\d+)([smhdw])/g)) total += Number(n) * (UNIT_SECONDS[unit!] ?? 0)
  return total
}
