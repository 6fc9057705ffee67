// The InfluxDB sink, through the `influx` client (1.x API, also served by InfluxDB 2 and 3). The database
// and its retention policy are made at start, but a server that is down or slow then never fails or
// holds up the cloud's boot: setup is retried before the first write.
import http from 'node:http'
import https from 'node:https'
import { InfluxDB, type IPoolOptions } from 'influx'
import type { Logger } from '../lib/logger.js'
import {
  DOWNSAMPLE_RP,
  ensureHealthDownsampling,
  fromMean,
  HEALTH_5M,
  toMeanFields,
} from './influx-downsample.js'
import { toIPoint } from './influx-point.js'
import { buildInfluxDeletes, buildInfluxQl, durationSeconds } from './influxql.js'
import type { FieldValue, Point } from './point.js'
import {
  checkDelete,
  checkQuery,
  mergeRows,
  type SeriesDelete,
  type SeriesQuery,
  type SeriesRow,
  type SeriesSink,
  SinkRejectedError,
} from './sink.js'

export interface InfluxSinkOptions {
  /** http(s)://[user:password@]host:port[/path] */
  url: string
  database: string
  /** How long points are kept: `90d`, `12w`, `720h` or `INF`. */
  retention: string
  log: Logger
  /**
   * How long the 5-minute means of `health` are kept (influx-downsample.ts): `365d`, `52w` or `INF`.
   * Without it no downsampling is set up.
   */
  downsampleRetention?: string
  /** The retention policy made (as the database default) and written to; default `relais`. */
  retentionPolicy?: string
  /** Per HTTP request; default 10 s. */
  requestTimeoutMs?: number
  /** How long start() waits for the setup before letting the boot go on; default 3 s. */
  startWaitMs?: number
}

// The client's pool would retry, and take a host out of rotation on timers of its own after a network
// error. TimeSeries already retries with back-off: one retry policy, and no timer outliving stop().
const noHostBackoff: NonNullable<IPoolOptions['backoff']> = {
  getDelay: () => 0,
  next: () => noHostBackoff,
  reset: () => noHostBackoff,
}

export class InfluxSink implements SeriesSink {
  readonly name = 'influx'
  private readonly client: InfluxDB
  private readonly agent: http.Agent
  private readonly rp: string
  private readonly log: Logger
  private ready = false
  private settingUp: Promise<void> | undefined

  constructor(private readonly opts: InfluxSinkOptions) {
    const u = new URL(opts.url)
    const where = `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}` // never the password
    this.log = opts.log.child({ module: 'timeseries-influx', influx: where, database: opts.database })
    this.rp = opts.retentionPolicy ?? 'relais'
    const secure = u.protocol === 'https:'
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true })
    this.client = new InfluxDB({
      protocol: secure ? 'https' : 'http',
      host: u.hostname,
      port: Number(u.port || (secure ? 443 : 80)),
      path: u.pathname === '/' ? '' : u.pathname,
      username: u.username ? decodeURIComponent(u.username) : undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      database: opts.database,
      options: { agent: this.agent },
      pool: { maxRetries: 0, requestTimeout: opts.requestTimeoutMs ?? 10_000, backoff: noHostBackoff },
    })
  }

  async start(): Promise<void> {
    const setup = this.ensureSetup().then(
      () => true,
      (err) => {
        this.log.warn({ err }, 'InfluxDB not ready at start; its setup is retried before the first write')
        return false
      },
    )
    let timer: NodeJS.Timeout | undefined
    const waited = new Promise<'slow'>((r) => {
      timer = setTimeout(() => r('slow'), this.opts.startWaitMs ?? 3000)
    })
    const outcome = await Promise.race([setup, waited]).finally(() => clearTimeout(timer))
    if (outcome === 'slow')
      this.log.warn('InfluxDB slow to answer at start; its setup goes on in the background')
  }

  async write(points: readonly Point[]): Promise<void> {
    try {
      await this.ensureSetup()
      await this.client.writePoints(points.map(toIPoint), {
        database: this.opts.database,
        retentionPolicy: this.rp,
        precision: 'ms',
      })
    } catch (err) {
      throw this.classify(err)
    }
  }

  async query(q: SeriesQuery): Promise<SeriesRow[]> {
    const checked = checkQuery(q)
    // health_5m lives in the long policy, under the CQ's column names: read as from the embedded store.
    const rolled = q.measurement === HEALTH_5M && this.opts.downsampleRetention !== undefined
    const { query, placeholders } = rolled
      ? buildInfluxQl(toMeanFields(checked), DOWNSAMPLE_RP)
      : buildInfluxQl(checked, this.rp)
    const res = await this.client
      .query<Record<string, unknown>>(query, { database: this.opts.database, precision: 'ms', placeholders })
      .catch((err) => {
        throw plainError(err)
      })
    const rows: SeriesRow[] = []
    for (const group of res.groups()) {
      const tags: Record<string, string> = {}
      for (const [k, v] of Object.entries(group.tags)) if (v !== '') tags[k] = v
      for (const r of group.rows) {
        const fields: Record<string, FieldValue | null> = {}
        for (const [k, v] of Object.entries(r))
          if (k !== 'time' && !(k in group.tags)) fields[rolled ? fromMean(k) : k] = v as FieldValue | null
        rows.push({ ts: (r.time as Date).getTime(), tags, fields })
      }
    }
    return mergeRows(rows, checked.limit)
  }

  /** DROP SERIES for tags alone (every point of the series), DELETE when a time limit is given. */
  async deleteWhere(d: SeriesDelete): Promise<void> {
    await this.ensureSetup()
    for (const { query, placeholders } of buildInfluxDeletes(checkDelete(d))) {
      await this.client
        .queryRaw(query, { database: this.opts.database, placeholders, method: 'POST' } as never)
        .catch((err) => {
          throw plainError(err)
        })
    }
  }

  stop(): void {
    this.agent.destroy()
  }

  /** One setup at a time; after a success, never again unless the server lost the database. */
  private ensureSetup(): Promise<void> {
    if (this.ready) return Promise.resolve()
    this.settingUp ??= this.setup().finally(() => {
      this.settingUp = undefined
    })
    return this.settingUp
  }

  private async setup(): Promise<void> {
    const { database, retention } = this.opts
    try {
      // CREATE DATABASE is a no-op on an existing one.
      await this.client.createDatabase(database)
      const existing = (await this.client.showRetentionPolicies(database)).find((p) => p.name === this.rp)
      const rp = { database, duration: retention, replication: 1, isDefault: true }
      if (existing === undefined) await this.client.createRetentionPolicy(this.rp, rp)
      else if (durationSeconds(existing.duration) !== durationSeconds(retention) || !existing.default) {
        await this.client.alterRetentionPolicy(this.rp, rp)
      }
      if (this.opts.downsampleRetention !== undefined)
        await ensureHealthDownsampling(this.client, database, this.rp, this.opts.downsampleRetention)
    } catch (err) {
      // A user without admin rights cannot make them: an admin must have; the first write will tell.
      const status = statusOf(err)
      if (status !== 401 && status !== 403) throw plainError(err)
      this.log.warn(
        { err: plainError(err) },
        'not allowed to create the database or retention policy; assuming they exist',
      )
    }
    this.ready = true
    this.log.info({ retentionPolicy: this.rp, retention }, 'InfluxDB ready')
  }

  /** Retry (the default), set up again first, or give the batch up for good. */
  private classify(raw: unknown): unknown {
    const err = plainError(raw)
    const msg = err instanceof Error ? err.message : String(err)
    if (/(database|retention policy) not found/.test(msg)) {
      this.ready = false
      return err
    }
    if (statusOf(err) === 400) {
      const dropped = /dropped=(\d+)/.exec(msg)
      return new SinkRejectedError(
        `InfluxDB refused points: ${msg}`,
        dropped ? Number(dropped[1]) : undefined,
      )
    }
    return err
  }
}

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; res?: { statusCode?: unknown } } | null
  const status = e?.status ?? e?.res?.statusCode
  return typeof status === 'number' ? status : undefined
}

/**
 * The client's RequestError carries the whole request and response (sockets, agent, headers): keep only
 * its message and status, so that logging it stays one line.
 */
function plainError(err: unknown): unknown {
  const status = statusOf(err)
  if (status === undefined || !(err instanceof Error)) return err
  return Object.assign(new Error(err.message), { status })
}
