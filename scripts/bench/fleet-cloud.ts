// The fleet bench's cloud: a data dir provisioned with the cloud's own domain functions (a household per
// agent, since every agent needs a placement, each agent with its own secret), then `relais serve` on it
// as its own process, so /proc reads the cloud alone. Its /metrics (behind an ops token) says how many
// time-series points it has written.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { productKey } from '../../cloud/src/catalogue/product-fields.js'
import { writeProducts } from '../../cloud/src/catalogue/product-store.js'
import { addAgent } from '../../cloud/src/domains/agents/agents.js'
import { createHousehold } from '../../cloud/src/domains/households/households.js'
import { createToken } from '../../cloud/src/domains/tokens/tokens.js'
import { openDatabase } from '../../cloud/src/storage/db.js'
import { CloudProcess } from '../../cloud/test/support/process.js'
import { freePort, waitFor } from '../testkit/services.js'
import { root, tempDir, track } from './agent-procs.js'
import { agentId, type Credentials } from './workload.js'

export interface FleetCloud {
  pid: number
  port: number
  creds: Credentials[]
  /** Seconds spent provisioning; 0 when a cached template of the same size was copied. */
  provisionSeconds: number
  metrics(): Promise<Record<string, number>>
  stop(): Promise<void>
}

/**
 * Provisioning costs one scrypt hash per agent (tens of ms each by design): 10,000 agents take minutes on
 * two cores. The provisioned data dir is kept in the temp dir as a template, keyed by agent count and the
 * migrations it was made with, and copied for each run; every run still starts on a fresh copy. A larger
 * fleet grows from the largest smaller template (agents 0..n-1 are the same in every template).
 */
async function template(agents: number, codes: string[]): Promise<{ dir: string; seconds: number }> {
  const migrations = readdirSync(join(root, 'cloud', 'src', 'storage', 'migrations')).length
  const nameOf = (n: number) => join(tmpdir(), `relais-fleet-template-${n}-m${migrations}`)
  const dir = nameOf(agents)
  if (existsSync(join(dir, 'creds.json'))) return { dir, seconds: 0 }
  const started = performance.now()
  const building = `${dir}.${process.pid}`
  rmSync(building, { recursive: true, force: true })
  const base = smallerTemplates(migrations).find((n) => n < agents)
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

/** Fleet sizes with a finished template for these migrations, largest first. */
function smallerTemplates(migrations: number): number[] {
  const re = new RegExp(`^relais-fleet-template-(\\d+)-m${migrations}$`)
  return readdirSync(tmpdir())
    .flatMap((name) => {
      const m = re.exec(name)
      return m && existsSync(join(tmpdir(), name, 'creds.json')) ? [Number(m[1])] : []
    })
    .sort((a, b) => b - a)
}

export async function startFleetCloud(
  agents: number,
  codes: string[],
  influxUrl?: string,
): Promise<FleetCloud> {
  const tpl = await template(agents, codes)
  const run = tempDir(mkdtempSync(join(tmpdir(), 'relais-fleet-')))
  cpSync(join(tpl.dir, 'cloud'), join(run.dir, 'cloud'), { recursive: true })
  const creds = JSON.parse(readFileSync(join(tpl.dir, 'creds.json'), 'utf8')) as Credentials[]
  const dataDir = join(run.dir, 'cloud')
  const db = await openDatabase({ dataDir })
  const token = await createToken(db, { scope: 'ops', name: 'fleet bench' }).finally(() => db.destroy())
  const port = await freePort()
  const httpPort = await freePort()
  const proc = new CloudProcess({
    RELAIS_DATA_DIR: dataDir,
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_MQTT_PORT: String(port),
    RELAIS_HTTP_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: String(httpPort),
    RELAIS_LOG_LEVEL: 'warn',
    ...(influxUrl ? { RELAIS_INFLUX_URL: influxUrl, RELAIS_INFLUX_DATABASE: 'relais_fleet' } : {}),
  })
  proc.onSpawn = track
  await proc.start()
  const metrics = async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`)
    return parseMetrics(await res.text())
  }
  // The broker listens before the HTTP server does (the cloud's boot order); wait for both.
  await waitFor('the cloud to answer GET /metrics', metrics, 30_000)
  return {
    pid: proc.child!.pid!,
    port,
    creds,
    provisionSeconds: tpl.seconds,
    metrics,
    stop: async () => {
      await proc.kill('SIGTERM')
      run.removeNow()
    },
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
