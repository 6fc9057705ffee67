// Health history on InfluxDB (issue 6): raw `health` stays in the default policy (RELAIS_INFLUX_RETENTION);
// a continuous query keeps 5-minute means of it in a long-lived policy, so a year of fleet health costs
// 1/30th of the raw points of an agent reporting every 10 s. Made at setup, idempotent on every restart.
import { type InfluxDB, escape as influxEscape } from 'influx'
import { durationSeconds } from './influxql.js'
import type { SeriesQuery } from './sink.js'

/** The long-lived policy and the CQ's names; the measurement it fills is `health_5m`. */
export const DOWNSAMPLE_RP = 'relais_downsampled'
export const HEALTH_CQ = 'relais_health_5m'
export const HEALTH_5M = 'health_5m'

/**
 * The CQ's SELECT, also run by hand over a range as a backfill (tests, an operator catching up; from
 * and to are whole epoch ms). mean(*) because
 * agents choose their health fields: it averages every numeric one and names it `mean_<field>` (booleans
 * and strings are left out). GROUP BY * keeps each agent's tag set as its own series.
 */
export function healthDownsampleSelect(
  database: string,
  rawRp: string,
  backfill?: { from: number; to: number },
): string {
  const db = influxEscape.quoted(database)
  const into = `${db}.${influxEscape.quoted(DOWNSAMPLE_RP)}.${influxEscape.quoted(HEALTH_5M)}`
  const from = `${db}.${influxEscape.quoted(rawRp)}."health"`
  // A CQ must not name a time range (the server sets it each run); a backfill must.
  const where = backfill === undefined ? '' : ` WHERE time >= ${backfill.from}ms AND time < ${backfill.to}ms`
  return `SELECT mean(*) INTO ${into} FROM ${from}${where} GROUP BY time(5m), *`
}

/**
 * Creates or adjusts the long policy (never the default: writes go to the raw one) and creates the CQ
 * when absent. InfluxDB 1.x has no CREATE CONTINUOUS QUERY IF NOT EXISTS and no ALTER (1.6 answers an
 * existing name with an error unless the text is identical), so the CQ is looked up by name first.
 */
export async function ensureHealthDownsampling(
  client: InfluxDB,
  database: string,
  rawRp: string,
  retention: string,
): Promise<void> {
  const rps = await client.showRetentionPolicies(database)
  const existing = rps.find((p) => p.name === DOWNSAMPLE_RP)
  const rp = { database, duration: retention, replication: 1, isDefault: false }
  if (existing === undefined) await client.createRetentionPolicy(DOWNSAMPLE_RP, rp)
  else if (durationSeconds(existing.duration) !== durationSeconds(retention))
    await client.alterRetentionPolicy(DOWNSAMPLE_RP, rp)
  const cqs = await client.showContinousQueries(database)
  if (cqs.some((cq) => cq.name === HEALTH_CQ)) return
  await client.createContinuousQuery(HEALTH_CQ, healthDownsampleSelect(database, rawRp), database)
}

/**
 * A query of `health_5m` as the embedded store answers it: the CQ's `mean_<field>` columns asked for by
 * their plain names. fromMean() turns a result column back.
 */
export function toMeanFields<Q extends SeriesQuery>(q: Q): Q {
  return q.fields === undefined ? q : { ...q, fields: q.fields.map((f) => `mean_${f}`) }
}

export const fromMean = (column: string): string =>
  column.startsWith('mean_') ? column.slice('mean_'.length) : column
