// The fleet bench's cloud: a data dir provisioned with the cloud's own domain functions (a household per
// agent, since every agent needs a placement, each agent with its own secret), then `relais serve` on it
// as its own process, so /proc reads the cloud alone. Its /metrics (behind an ops token) says how many
// time-series points it has written. On PostgreSQL the provisioned rows are copied into a fresh database
// of the run's server; with N > 1 nodes, N processes share it and one Redis (RELAIS_REDIS_URL), each
// an Aedes node of the cluster with its own port and its own data dir.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { productKey } from '../../cloud/src/catalogue/product-fields.js'
import { writeProducts } from '../../cloud/src/catalogue/product-store.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { createHousehold } from '../../cloud/src/domains/households/households.js'
import { createToken } from '../../cloud/src/domains/tokens/tokens.js'
import { hashSecret } from '../../cloud/src/lib/secrets.js'
import { type Db, openDatabase } from '../../cloud/src/storage/db.js'
import { CloudProcess } from '../../cloud/test/support/process.js'
import type { Postgres } from '../testkit/postgres.js'
import { freePort, waitFor } from '../testkit/services.js'
import { root, tempDir, track } from './agent-procs.js'
import { agentId, type Credentials } from './workload.js'

/** One cloud process: a broker node. */
export interface FleetNode {
  pid: number
  port: number
  metrics(): Promise<Record<string, number>>
}

export interface FleetCloud {
  nodes: FleetNode[]
  store: FleetStore
  creds: Credentials[]
  /** Seconds spent provisioning; 0 when a cached template of the same size was copied. */
  provisionSeconds: number
  stop(): Promise<void>
}

/**
 * Provisioning costs one scrypt hash per agent: 10,000 agents took minutes on two cores at N=16384. The
 * provisioned data dir is kept in the temp dir as a template, keyed by agent count, the migrations and the
 * hash parameters it was made with, and copied for each run; every run still starts on a fresh copy. A larger
 * fleet grows from the largest smaller template (agents 0..n-1 are the same in every template).
 */
async function template(agents: number, codes: string[]): Promise<{ dir: string; seconds: number }> {
  const key = await templateKey()
  const nameOf = (n: number) => join(tmpdir(), `relais-fleet-template-${n}-${key}`)
  const dir = nameOf(agents)
  if (existsSync(join(dir, 'creds.json'))) return { dir, seconds: 0 }
  const started = performance.now()
  const building = `${dir}.${process.pid}`
  rmSync(building, { recursive: true, force: true })
  const base = smallerTemplates(key).find((n) => n < agents)
  if (base !== undefined) cpSync(nameOf(base), building, { recursive: true })
  const creds: Credentials[] =
    base === undefined ? [] : JSON.parse(readFileSync(join(building, 'creds.json'), 'utf8'))
  const db = await openDatabase({ dataDir: join(building, 'cloud') })
  try {
    // Half the bench codes in the catalogue, so acks mix added/incremented with unknown_product.
    const known = codes.flatMap((code, i) => {
      const k = productKey(code)
      return i % 2 === 0 && 'key' in k ? [{ code: k.key, fields: { name: `Fleet product ${i}` } }] : []
    })
    if (base === undefined) await writeProducts(db, known, 'off-csv', Date.now())
    // scrypt runs on the libuv pool (4 threads): a few agents at a time keeps it busy.
    for (let i = creds.length; i < agents; i += 8) {
      const ids = Array.from({ length: Math.min(8, agents - i) }, (_, j) => agentId(i + j))
      const made = await Promise.all(
        ids.map(async (id) => {
          await createHousehold(db, { id: `home-${id}`, name: `Fleet household ${id}` })
          return addAgent(db, { id, householdId: `home-${id}` })
        }),
      )
      for (const m of made) creds.push({ agent: m.agent.id, username: m.username, password: m.secret })
    }
  } finally {
    await db.destroy()
  }
  writeFileSync(join(building, 'creds.json'), JSON.stringify(creds))
  try {
    renameSync(building, dir)
  } catch (err) {
    // Another run built the same template meanwhile: use theirs.
    rmSync(building, { recursive: true, force: true })
    if (!existsSync(join(dir, 'creds.json'))) throw err
  }
  return { dir, seconds: (performance.now() - started) / 1000 }
}

/**
 * What a template depends on: the migrations, and the secret hash's parameters (a template of hashes
 * made with an earlier scrypt cost would make every first CONNECT cost what it did then).
 */
async function templateKey(): Promise<string> {
  const migrations = readdirSync(join(root, 'cloud', 'src', 'storage', 'migrations')).length
  // scrypt$N$r$p$salt$key: the first four say the cost.
  const params = (await hashSecret('template key')).split('$').slice(0, 4).join('-')
  return `m${migrations}-${params.replace(/[^a-z0-9-]/gi, '')}`
}

/** Fleet sizes with a finished template of this key, largest first. */
function smallerTemplates(key: string): number[] {
  const re = new RegExp(`^relais-fleet-template-(\\d+)-${key}$`)
  return readdirSync(tmpdir())
    .flatMap((name) => {
      const m = re.exec(name)
      return m && existsSync(join(tmpdir(), name, 'creds.json')) ? [Number(m[1])] : []
    })
    .sort((a, b) => b - a)
}

/** Where the cloud keeps its relational data: the embedded SQLite file, or one shared PostgreSQL. */
export type FleetStore = 'sqlite' | 'postgres'

export interface FleetClusterOptions {
  /** Cloud processes; more than one needs `redisUrl` and `postgres`. */
  nodes: number
  /** The run's PostgreSQL server: each fleet size gets a fresh database on it. */
  postgres?: Postgres
  /** RELAIS_REDIS_URL of every node: they route and keep sessions through it. */
  redisUrl?: string
  influxUrl?: string
}

export async function startFleetCloud(
  agents: number,
  codes: string[],
  o: FleetClusterOptions,
): Promise<FleetCloud> {
  if (o.nodes > 1 && (o.redisUrl === undefined || o.postgres === undefined))
    throw new Error(`${o.nodes} nodes need Redis and a shared PostgreSQL`)
  const tpl = await template(agents, codes)
  const run = tempDir(mkdtempSync(join(tmpdir(), 'relais-fleet-')))
  const creds = JSON.parse(readFileSync(join(tpl.dir, 'creds.json'), 'utf8')) as Credentials[]
  const nodes: FleetNode[] = []
  const procs: CloudProcess[] = []
  const stop = async () => {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')))
    run.removeNow()
  }
  try {
    let databaseUrl: string | undefined
    let token: string
    if (o.postgres) {
      // The SQLite template's rows copied into a fresh database: its scrypt hashes are reused.
      databaseUrl = await o.postgres.createDatabase(`relais_fleet_${agents}_${Date.now().toString(36)}`)
      const db = await openDatabase({ dataDir: ':memory:', url: databaseUrl })
      try {
        await copyRows(join(tpl.dir, 'cloud', 'relais.db'), db)
        token = await createToken(db, { scope: 'ops', name: 'fleet bench' })
      } finally {
        await db.destroy()
      }
    } else {
      cpSync(join(tpl.dir, 'cloud'), join(run.dir, 'node-1'), { recursive: true })
      const db = await openDatabase({ dataDir: join(run.dir, 'node-1') })
      token = await createToken(db, { scope: 'ops', name: 'fleet bench' }).finally(() => db.destroy())
    }
    for (let i = 1; i <= o.nodes; i++) {
      mkdirSync(join(run.dir, `node-${i}`), { recursive: true })
      const port = await freePort()
      const httpPort = await freePort()
      const proc = new CloudProcess({
        // Each node its own data dir (the embedded time series); on PostgreSQL it holds no relais.db.
        RELAIS_DATA_DIR: join(run.dir, `node-${i}`),
        RELAIS_MQTT_HOST: '127.0.0.1',
        RELAIS_MQTT_PORT: String(port),
        RELAIS_HTTP_HOST: '127.0.0.1',
        RELAIS_HTTP_PORT: String(httpPort),
        RELAIS_LOG_LEVEL: 'warn',
        ...(databaseUrl ? { RELAIS_DATABASE_URL: databaseUrl } : {}),
        ...(o.nodes > 1 && o.redisUrl ? { RELAIS_REDIS_URL: o.redisUrl } : {}),
        ...(o.influxUrl ? { RELAIS_INFLUX_URL: o.influxUrl, RELAIS_INFLUX_DATABASE: 'relais_fleet' } : {}),
      })
      proc.onSpawn = track
      procs.push(proc)
      await proc.start()
      const metrics = async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
          headers: { authorization: `Bearer ${token}` },
        })
        if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`)
        return parseMetrics(await res.text())
      }
      // The broker listens before the HTTP server does (the cloud's boot order); wait for both.
      await waitFor(`node ${i} to answer GET /metrics`, metrics, 30_000)
      nodes.push({ pid: proc.child!.pid!, port, metrics })
    }
  } catch (err) {
    await stop()
    throw err
  }
  return {
    nodes,
    store: o.postgres ? 'postgres' : 'sqlite',
    creds,
    provisionSeconds: tpl.seconds,
    stop,
  }
}

/**
 * Every row of the provisioned SQLite file into `db` (PostgreSQL, migrated, empty), table by table in
 * the order the migrations made them (so a referenced row is always there first), in batches.
 */
async function copyRows(sqlitePath: string, db: Db): Promise<void> {
  const src = new SQLite(sqlitePath, { readonly: true })
  try {
    const tables = src
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'kysely%' AND name NOT LIKE 'sqlite%' ORDER BY rowid",
      )
      .pluck()
      .all() as string[]
    // SQLite keeps booleans as 0/1; PostgreSQL wants true/false where the column is boolean.
    const { rows } = await sql<{ t: string; c: string }>`
      SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'boolean'`.execute(db)
    const booleans = new Set(rows.map((r) => `${r.t}.${r.c}`))
    for (const table of tables) {
      const all = src.prepare(`SELECT * FROM "${table}"`).all() as Array<Record<string, unknown>>
      for (let i = 0; i < all.length; i += 500) {
        const batch = all.slice(i, i + 500).map((row) => {
          const out: Record<string, unknown> = {}
          for (const [k, v] of Object.entries(row)) out[k] = booleans.has(`${table}.${k}`) ? v === 1 : v
          return out
        })
        await db
          .insertInto(table as never)
          .values(batch as never)
          .execute()
      }
    }
  } finally {
    src.close()
  }
}

/** Unlabelled samples of the Prometheus text format, by name (labelled ones are summed). */
export function parseMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{[^}]*\})? ([0-9.e+-]+|NaN)$/i.exec(line)
    if (m) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2])
  }
  return out
}
