// Reads an agent's health for a chart over any range: raw `health` where it is still kept, the 5-minute
// means in `health_5m` (sqlite-rollup.ts, influx-downsample.ts) for the older part, so a month's chart
// is not empty past the raw retention.
import type { SeriesQuery, SeriesRow } from './sink.js'

export interface HealthReadOptions {
  agent: string
  from: number
  to: number
  fields: string[]
  /** Chart buckets; each holds the mean of the points (or of the 5-minute means) in it. */
  everyMs: number
  /** How long raw health is kept; undefined or 0: all of it, no roll-ups read. */
  rawRetentionMs?: number
  now: number
}

export async function readHealth(
  series: { query(q: SeriesQuery): Promise<SeriesRow[]> },
  o: HealthReadOptions,
): Promise<SeriesRow[]> {
  const q = (measurement: string, from: number, to: number) =>
    series.query({
      measurement,
      from,
      to,
      where: { agent: o.agent },
      fields: o.fields,
      downsample: { everyMs: o.everyMs, agg: 'mean' },
    })
  const raw = o.rawRetentionMs ?? 0
  // The split falls on a chart bucket's edge, so no bucket is read from both measurements.
  const split = raw > 0 ? Math.ceil((o.now - raw) / o.everyMs) * o.everyMs : o.from
  if (split <= o.from) return q('health', o.from, o.to)
  // A mean of 5-minute means, unweighted: a bucket with few reports counts as much as a full one.
  const older = await q('health_5m', o.from, Math.min(split, o.to))
  const newer = split < o.to ? await q('health', split, o.to) : []
  return [...older, ...newer]
}
