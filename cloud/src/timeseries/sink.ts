// Where points end up. One interface, two back ends (InfluxDB when configured, SQLite otherwise), so the
// buffer, the ingest code and the charts never know which one runs.
import { invalid } from '../lib/errors.js'
import type { FieldValue, Point } from './point.js'

export interface SeriesSink {
  readonly name: string
  /** Opens connections and prepares the store. Must not fail because a remote server is down. */
  start(): Promise<void>
  /**
   * Stores a batch, all or nothing as far as the caller can tell: a rejection means "try the same batch
   * again later", except SinkRejectedError, which means "this batch can never be stored".
   */
  write(points: readonly Point[]): Promise<void>
  query(q: SeriesQuery): Promise<SeriesRow[]>
  /** Deletes stored points (a member's erasure, a retention limit). Optional: a store may not offer it. */
  deleteWhere?(d: SeriesDelete): Promise<void>
  stop(): Promise<void> | void
}

export interface SeriesDelete {
  measurements: string[]
  /** Only points whose tags have exactly these values. */
  where?: Record<string, string>
  /** Only points older than this, epoch ms (exclusive). At least one of `where` and `before` is given. */
  before?: number
}

/** Checks a deletion; throws RelaisError invalid_request on a bad one (never deletes everything). */
export function checkDelete(d: SeriesDelete): Required<Pick<SeriesDelete, 'where'>> & SeriesDelete {
  const problems: string[] = []
  if (d.measurements.length === 0) problems.push('no measurement given')
  for (const m of d.measurements)
    if (!NAME.test(m)) problems.push(`measurement ${JSON.stringify(m)} is not a valid name`)
  const where = d.where ?? {}
  for (const [k, v] of Object.entries(where)) {
    if (!NAME.test(k)) problems.push(`tag ${JSON.stringify(k)} is not a valid name`)
    if (typeof v !== 'string' || v === '') problems.push(`tag ${k} must be compared to a non-empty string`)
  }
  if (d.before !== undefined && (!Number.isSafeInteger(d.before) || d.before < 0))
    problems.push('before must be a whole epoch ms')
  if (Object.keys(where).length === 0 && d.before === undefined)
    problems.push('give tags or a time limit: a deletion of everything is refused')
  if (problems.length > 0) throw invalid(`time-series deletion: ${problems.join('; ')}`)
  return { ...d, where }
}

/**
 * The store refused the data itself (malformed, field type conflict): retrying cannot help. `dropped` is
 * how many points of the batch were lost when the store says (InfluxDB writes the rest of a partial
 * write); unknown means all of them.
 */
export class SinkRejectedError extends Error {
  constructor(
    message: string,
    readonly dropped?: number,
    override readonly cause?: unknown,
  ) {
    super(message)
    this.name = 'SinkRejectedError'
  }
}

export const AGGREGATES = ['mean', 'min', 'max', 'sum', 'count', 'last'] as const
export type Aggregate = (typeof AGGREGATES)[number]

export interface SeriesQuery {
  measurement: string
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, exclusive. */
  to: number
  /** Only points whose tags have exactly these values. */
  where?: Record<string, string>
  /** Fields to return; every field when absent. Required when downsampling. */
  fields?: string[]
  /**
   * One row per `everyMs` bucket (aligned on the epoch, empty buckets left out) and per combination of
   * the `groupBy` tags, each field aggregated with `agg`. For charts over long ranges.
   */
  downsample?: { everyMs: number; agg: Aggregate; groupBy?: string[] }
  /** At most this many rows, oldest first; default and ceiling 10,000. */
  limit?: number
}

export interface SeriesRow {
  /** Epoch ms: the point's, or the start of its bucket when downsampled. */
  ts: number
  /** The point's tags; when downsampled, only the groupBy tags. */
  tags: Record<string, string>
  /** Null where an aggregate had no value in the bucket. */
  fields: Record<string, FieldValue | null>
}

export const QUERY_LIMIT_MAX = 10_000

// Names end up as InfluxQL identifiers and SQLite JSON paths; both are escaped, but a quote or backslash
// in a name is never legitimate here, so refuse it rather than rely on two escaping rules agreeing.
const NAME = /^[^"\\\x00-\x1f]{1,200}$/

/** Checks a query and returns it with its defaults; throws RelaisError invalid_request on a bad one. */
export function checkQuery(
  q: SeriesQuery,
): Required<Omit<SeriesQuery, 'downsample' | 'fields'>> & Pick<SeriesQuery, 'downsample' | 'fields'> {
  const problems: string[] = []
  const name = (what: string, v: unknown) => {
    if (typeof v !== 'string' || !NAME.test(v))
      problems.push(`${what} ${JSON.stringify(v)} is not a valid name`)
  }
  name('measurement', q.measurement)
  if (!Number.isSafeInteger(q.from) || !Number.isSafeInteger(q.to) || q.from < 0 || q.to < q.from) {
    problems.push('from and to must be whole epoch ms with from <= to')
  }
  for (const [k, v] of Object.entries(q.where ?? {})) {
    name('tag', k)
    if (typeof v !== 'string') problems.push(`tag ${k} must be compared to a string`)
  }
  for (const f of q.fields ?? []) name('field', f)
  const limit = q.limit ?? QUERY_LIMIT_MAX
  if (!Number.isInteger(limit) || limit < 1 || limit > QUERY_LIMIT_MAX) {
    problems.push(`limit must be a whole number from 1 to ${QUERY_LIMIT_MAX}`)
  }
  const d = q.downsample
  if (d !== undefined) {
    if (!Number.isSafeInteger(d.everyMs) || d.everyMs < 1) problems.push('downsample.everyMs must be >= 1')
    if (!AGGREGATES.includes(d.agg)) problems.push(`downsample.agg must be one of ${AGGREGATES.join(', ')}`)
    for (const t of d.groupBy ?? []) name('groupBy tag', t)
    if (q.fields === undefined || q.fields.length === 0)
      problems.push('downsampling needs the fields to aggregate')
  }
  if (problems.length > 0) throw invalid(`time-series query: ${problems.join('; ')}`)
  return { ...q, where: q.where ?? {}, limit }
}

/** Rows from several series, merged oldest first and cut to the limit. */
export function mergeRows(rows: SeriesRow[], limit: number): SeriesRow[] {
  return rows.sort((a, b) => a.ts - b.ts).slice(0, limit)
}
