// Cloud configuration: every setting has a default so `npm start` needs nothing, and an environment
// variable to override it. Validated once at boot; every error is listed at once, each naming its variable.
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { type AlertConfig, type AvailabilityConfig, loadAlertConfig } from './alert-config.js'

export interface CloudConfig {
  dataDir: string
  /** RELAIS_DATABASE_URL: the relational data in PostgreSQL instead of SQLite in dataDir. */
  databaseUrl?: string
  /**
   * RELAIS_REDIS_URL: this process is one broker node of a cluster sharing routing, sessions and
   * retained messages through Redis (broker/cluster.ts); the nodes share RELAIS_DATABASE_URL.
   */
  redisUrl?: string
  /**
   * RELAIS_LEADER_CHECK_MS: how often a follower asks to lead and the leader checks its database
   * session (app/leadership.ts); a takeover starts the jobs about three periods after the leader died.
   */
  leaderCheckMs: number
  logLevel: string
  /**
   * RELAIS_BROKER_URL: an external MQTT broker (Mosquitto, EMQX) instead of the embedded Aedes; the cloud
   * is then one of its clients, and its ingest workers share the events (broker/external-bus.ts).
   */
  broker?: { url: string; username?: string; password?: string; clientId: string }
  mqtt: {
    host: string
    port: number
    tlsPort?: number
    tlsCert?: string
    tlsKey?: string
    /** How often the broker looks for rotated or revoked credentials (broker/credential-watch.ts). */
    credentialsPollMs: number
    /** The broker URL written into agent config files (RELAIS_AGENT_BROKER_URL); default: this host. */
    agentBrokerUrl?: string
  }
  http: { host: string; port: number }
  influx?: { url: string; database: string; retention: string; downsampleRetention: string }
  timeseries: { bufferMax: number; flushIntervalMs: number; batchMax: number }
  /**
   * Health history (issue 6): 5-minute means of `health` kept `downsampleRetention` (InfluxDB: a
   * policy and a continuous query; embedded: a roll-up job), raw health in the embedded store kept
   * `rawRetentionMs` (InfluxDB keeps it for RELAIS_INFLUX_RETENTION). 0 ms means kept for ever.
   */
  healthHistory: { rawRetentionMs: number; downsampleRetention: string; downsampleRetentionMs: number }
  ingest: { debounceMs: number; batchMax: number; dedupeRetentionDays: number; worker: boolean }
  catalogue: { onlineLookup: boolean; offApiUrl: string; lookupTimeoutMs: number }
  /** Availability: grace period and silence timeouts (alert-config.ts). */
  availability: AvailabilityConfig
  /** Alert rules, schedule, quiet hours and webhook (alert-config.ts). */
  alerts: AlertConfig
  pickups: {
    /** IANA time zone of the courier's working day (the round's calendar day and shift hours). */
    timeZone: string
    /** An open request not collected within this many hours expires. */
    expireAfterH: number
    /** POST every transition here, signed with HMAC-SHA256 of the body under `secret`. */
    webhook?: { url: string; secret: string }
  }
  /** The Home Assistant MQTT discovery bridge (integrations/homeassistant); off unless asked for. */
  homeAssistant: { discovery: boolean; prefix: string }
  presence: {
    /** Presence sessions (and their time-series points) older than this many days are deleted. */
    retentionDays: number
    /** A session open longer than this many hours is closed (its reader died without a leave). */
    maxOpenH: number
  }
}

type Env = Record<string, string | undefined>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

export function loadConfig(env: Env = process.env, overrides: Partial<CloudConfig> = {}): CloudConfig {
  const problems: string[] = []
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return def
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`)
      return def
    }
    return n
  }
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name]?.toLowerCase()
    if (raw === undefined || raw === '') return def
    if (['1', 'true', 'on', 'yes'].includes(raw)) return true
    if (['0', 'false', 'off', 'no'].includes(raw)) return false
    problems.push(`${name}=${env[name]}: expected on or off`)
    return def
  }
  const url = (name: string): string | undefined => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    try {
      const u = new URL(raw)
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)')
      return raw.replace(/\/+$/, '')
    } catch {
      problems.push(`${name}=${raw}: expected an http:// or https:// URL`)
      return undefined
    }
  }

  const mqttUrl = (name: string): string | undefined => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    if (!/^mqtts?:\/\/[^/]+/.test(raw))
      problems.push(`${name}=${raw}: expected mqtt://host:port or mqtts://host:port`)
    return raw
  }
  const databaseUrl = env.RELAIS_DATABASE_URL || undefined
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/./.test(databaseUrl))
    problems.push('RELAIS_DATABASE_URL: expected postgres://user:password@host:port/database')
  const redisUrl = env.RELAIS_REDIS_URL || undefined
  if (redisUrl !== undefined && !/^rediss?:\/\/./.test(redisUrl))
    problems.push('RELAIS_REDIS_URL: expected redis://[:password@]host:port[/db]')
  // Every node applies the events of its own devices: one database, or each would hold part of a list.
  if (redisUrl !== undefined && databaseUrl === undefined)
    problems.push(
      'RELAIS_REDIS_URL (a cluster of broker nodes) needs RELAIS_DATABASE_URL: the nodes share PostgreSQL',
    )
  const broker = externalBroker(env, problems)
  const tlsPort = env.RELAIS_MQTTS_PORT ? int('RELAIS_MQTTS_PORT', 8883, 0, 65535) : undefined
  const tlsCert = env.RELAIS_TLS_CERT || undefined
  const tlsKey = env.RELAIS_TLS_KEY || undefined
  if (tlsPort !== undefined && (tlsCert === undefined || tlsKey === undefined)) {
    problems.push('RELAIS_MQTTS_PORT is set: RELAIS_TLS_CERT and RELAIS_TLS_KEY must name the PEM files')
  }
  const influxUrl = url('RELAIS_INFLUX_URL')
  const retention = env.RELAIS_INFLUX_RETENTION ?? '90d'
  if (!/^(INF|\d+[hdw])$/.test(retention)) {
    problems.push(`RELAIS_INFLUX_RETENTION=${retention}: expected a duration like 30d, 12w, 720h or INF`)
  }

  const duration = (name: string, def: string): string => {
    const raw = env[name] || def
    if (/^(INF|\d+[hdw])$/.test(raw)) return raw
    problems.push(`${name}=${raw}: expected a duration like 7d, 52w, 720h or INF`)
    return def
  }
  const rawHealthRetention = duration('RELAIS_TS_RAW_RETENTION', '7d')
  const downsampleRetention = duration('RELAIS_TS_DOWNSAMPLE_RETENTION', '365d')

  const timeZone = env.RELAIS_TZ || Intl.DateTimeFormat().resolvedOptions().timeZone
  try {
    new Intl.DateTimeFormat('en', { timeZone })
  } catch {
    problems.push(`RELAIS_TZ=${timeZone}: expected an IANA time zone such as Europe/Paris`)
  }
  const webhookUrl = url('RELAIS_WEBHOOK_URL')
  const webhookSecret = env.RELAIS_WEBHOOK_SECRET ?? ''
  if (webhookUrl !== undefined && webhookSecret.length < 16) {
    problems.push('RELAIS_WEBHOOK_URL is set: RELAIS_WEBHOOK_SECRET must be at least 16 characters')
  }

  // HA's discovery prefix: plain topic levels (no wildcard, no '$'), and never under relais/, whose
  // topics are the contract's and the cloud's own.
  const haPrefix = env.RELAIS_HA_PREFIX || 'homeassistant'
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(haPrefix) || haPrefix.split('/')[0] === 'relais')
    problems.push(
      `RELAIS_HA_PREFIX=${haPrefix}: expected topic levels of letters, digits, '_' or '-', not under relais/`,
    )
  const { availability, alerts } = loadAlertConfig(env, problems)
  const config: CloudConfig = {
    dataDir: resolve(env.RELAIS_DATA_DIR || '.data'),
    databaseUrl,
    redisUrl,
    leaderCheckMs: int('RELAIS_LEADER_CHECK_MS', 5000, 50, 600_000),
    logLevel: env.RELAIS_LOG_LEVEL || 'info',
    broker,
    mqtt: {
      host: env.RELAIS_MQTT_HOST || '0.0.0.0',
      port: int('RELAIS_MQTT_PORT', 1883, 0, 65535),
      tlsPort,
      tlsCert,
      tlsKey,
      credentialsPollMs: int('RELAIS_CREDENTIALS_POLL_MS', 2000, 50, 600_000),
      agentBrokerUrl: mqttUrl('RELAIS_AGENT_BROKER_URL'),
    },
    http: { host: env.RELAIS_HTTP_HOST || '0.0.0.0', port: int('RELAIS_HTTP_PORT', 8080, 0, 65535) },
    influx: influxUrl
      ? { url: influxUrl, database: env.RELAIS_INFLUX_DATABASE || 'relais', retention, downsampleRetention }
      : undefined,
    healthHistory: {
      rawRetentionMs: durationMs(rawHealthRetention),
      downsampleRetention,
      downsampleRetentionMs: durationMs(downsampleRetention),
    },
    timeseries: {
      bufferMax: int('RELAIS_TS_BUFFER_MAX', 100_000, 100, 10_000_000),
      flushIntervalMs: int('RELAIS_TS_FLUSH_MS', 1000, 10, 60_000),
      batchMax: int('RELAIS_TS_BATCH_MAX', 5000, 1, 100_000),
    },
    ingest: {
      debounceMs: int('RELAIS_SCAN_DEBOUNCE_MS', 3000, 0, 600_000),
      batchMax: int('RELAIS_INGEST_BATCH_MAX', 500, 1, 10_000),
      dedupeRetentionDays: int('RELAIS_DEDUPE_RETENTION_DAYS', 30, 1, 3650),
      // The writer thread is SQLite's (ingest/apply-worker.ts); PostgreSQL's driver is asynchronous, so
      // its batches are applied inline and the pool does the waiting.
      worker: bool('RELAIS_INGEST_WORKER', true) && databaseUrl === undefined,
    },
    catalogue: {
      onlineLookup: bool('RELAIS_OFF_LOOKUP', false),
      offApiUrl: url('RELAIS_OFF_API_URL') ?? 'https://world.openfoodfacts.org',
      lookupTimeoutMs: int('RELAIS_OFF_TIMEOUT_MS', 3000, 100, 60_000),
    },
    availability,
    alerts,
    pickups: {
      timeZone,
      expireAfterH: int('RELAIS_PICKUP_EXPIRE_H', 72, 1, 24 * 30),
      webhook: webhookUrl ? { url: webhookUrl, secret: webhookSecret } : undefined,
    },
    homeAssistant: { discovery: bool('RELAIS_HA_DISCOVERY', false), prefix: haPrefix },
    presence: {
      retentionDays: int('RELAIS_PRESENCE_RETENTION_DAYS', 30, 1, 3650),
      maxOpenH: int('RELAIS_PRESENCE_MAX_OPEN_H', 12, 1, 24 * 30),
    },
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { ...config, ...overrides }
}

/**
 * RELAIS_BROKER_URL and the cloud's own login there. Each cloud process needs its own client id (a second
 * CONNECT with the same id ends the first session, MQTT-3.1.4-3), so the default is made of host and pid.
 */
function externalBroker(env: Env, problems: string[]): CloudConfig['broker'] {
  const url = env.RELAIS_BROKER_URL || undefined
  const username = env.RELAIS_BROKER_USERNAME || undefined
  const password = env.RELAIS_BROKER_PASSWORD || undefined
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 40)
  const clientId = env.RELAIS_BROKER_CLIENT_ID || `relais-cloud-${host}-${process.pid}`
  if (url === undefined) {
    for (const name of ['RELAIS_BROKER_USERNAME', 'RELAIS_BROKER_PASSWORD', 'RELAIS_BROKER_CLIENT_ID'])
      if (env[name]) problems.push(`${name} is set: RELAIS_BROKER_URL must name the external broker`)
    return undefined
  }
  if (!/^mqtts?:\/\/[^/:]+(:\d+)?\/?$/.test(url))
    problems.push(`RELAIS_BROKER_URL=${url}: expected mqtt://host:port or mqtts://host:port`)
  if (env.RELAIS_REDIS_URL)
    problems.push('RELAIS_BROKER_URL and RELAIS_REDIS_URL: an external broker or a cluster of embedded ones')
  if (password !== undefined && username === undefined)
    problems.push("RELAIS_BROKER_PASSWORD is set: RELAIS_BROKER_USERNAME must name the cloud's login")
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(clientId))
    problems.push(`RELAIS_BROKER_CLIENT_ID=${clientId}: expected 1-64 letters, digits, '.', '_' or '-'`)
  return { url, username, password, clientId }
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** A checked duration (`7d`, `52w`, `720h`) in ms; INF is 0, "kept for ever". */
function durationMs(d: string): number {
  const m = /^(\d+)([hdw])$/.exec(d)
  return m === null ? 0 : Number(m[1]) * (UNIT_MS[m[2]!] ?? 0)
}
