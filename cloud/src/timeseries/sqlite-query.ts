// SeriesQuery to SQL for the SQLite sink. Every value is a bound parameter; names (tags, fields) become
// JSON paths, also bound, and checkQuery has already refused names with quotes or backslashes.
import type { FieldValue } from './point.js'
import type { SeriesQuery, SeriesRow } from './sink.js'

export interface SqlQuery {
  sql: string
  params: unknown[]
  /** Turns one result row into a SeriesRow. */
  toRow(r: Record<string, unknown>): SeriesRow
}

const path = (name: string) => `$."${name}"`

const AGG_SQL = { mean: 'avg', min: 'min', max: 'max', sum: 'sum', count: 'count' } as const

export function buildSqliteQuery(
  q: SeriesQuery & { where: Record<string, string>; limit: number },
): SqlQuery {
  const where = ['measurement = ?', 'ts >= ?', 'ts < ?']
  const whereParams: unknown[] = [q.measurement, q.from, q.to]
  for (const [k, v] of Object.entries(q.where)) {
    where.push('json_extract(tags, ?) = ?')
    whereParams.push(path(k), v)
  }
  const d = q.downsample
  if (d === undefined) {
    const fields = q.fields
    return {
      sql: `SELECT ts, tags, fields FROM points WHERE ${where.join(' AND ')} ORDER BY ts LIMIT ?`,
      params: [...whereParams, q.limit],
      toRow: (r) => {
        const all = JSON.parse(r.fields as string) as Record<string, FieldValue>
        return {
          ts: r.ts as number,
          tags: JSON.parse(r.tags as string) as Record<string, string>,
          fields: fields === undefined ? all : Object.fromEntries(fields.map((f) => [f, all[f] ?? null])),
        }
      },
    }
  }
  const fields = q.fields ?? []
  const groupBy = d.groupBy ?? []
  const select = ['(ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS bucket']
  const selectParams: unknown[] = [d.everyMs, d.everyMs]
  groupBy.forEach((t, i) => {
    select.push(`json_extract(tags, ?) AS g${i}`)
    selectParams.push(path(t))
  })
  // `last`: SQLite takes bare columns from the row that holds the single max() of the group.
  if (d.agg === 'last') select.push('max(ts) AS last_ts')
  fields.forEach((f, i) => {
    const value = 'json_extract(fields, ?)'
    select.push(d.agg === 'last' ? `${value} AS f${i}` : `${AGG_SQL[d.agg]}(${value}) AS f${i}`)
    selectParams.push(path(f))
  })
  const groups = ['bucket', ...groupBy.map((_, i) => `g${i}`)]
  return {
    sql:
      `SELECT ${select.join(', ')} FROM points WHERE ${where.join(' AND ')} ` +
      `GROUP BY ${groups.join(', ')} ORDER BY bucket LIMIT ?`,
    params: [...selectParams, ...whereParams, q.limit],
    toRow: (r) => {
      const tags: Record<string, string> = {}
      groupBy.forEach((t, i) => {
        const v = r[`g${i}`]
        if (typeof v === 'string') tags[t] = v
      })
      const out: Record<string, FieldValue | null> = {}
      fields.forEach((f, i) => {
        out[f] = (r[`f${i}`] as FieldValue | null | undefined) ?? null
      })
      return { ts: r.bucket as number, tags, fields: out }
    },
  }
}
