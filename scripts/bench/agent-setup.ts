// What the agent bench runs against and with: the cloud as a process (`relais serve`, restartable on the
// same data dir for the outage), the agent built as it ships (the build:agent bundle) and from the
// sources through tsx, and the bare MQTT.js client in the same two forms.
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { topics } from '@relais/hardware'
import { build } from 'esbuild'
import { createToken } from '../../cloud/src/domains/tokens/tokens.js'
import { openDatabase } from '../../cloud/src/storage/db.js'
import { CloudProcess } from '../../cloud/test/support/process.js'
import { buildAgent } from '../build-agent.js'
import { freePort } from '../testkit/services.js'
import { BenchProcess, root, track } from './agent-procs.js'
import { HOUSEHOLD, provision } from './provision.js'
import type { Credentials } from './workload.js'

/** How a process runs: `bundle` is plain `node` on an esbuild bundle, `tsx` the sources through tsx. */
export type Form = 'bundle' | 'tsx'

export interface Bundles {
  agent: string
  bare: string
}

/**
 * The agent exactly as `npm run build:agent` bundles it, and the bare client bundled alike, so both
 * run on plain `node`. No npm install: the bundle's folder links to the repository's node_modules (as
 * the build:agent test does), which holds the same versions of the external native packages.
 */
export async function buildBundles(dir: string): Promise<Bundles> {
  const built = await buildAgent({ outDir: join(dir, 'bundle'), install: false })
  symlinkSync(join(root, 'node_modules'), join(built.outDir, 'node_modules'), 'dir')
  const bare = join(built.outDir, 'bare-mqtt-client.mjs')
  await build({
    entryPoints: [join(root, 'scripts', 'bench', 'bare-mqtt-client.ts')],
    outfile: bare,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // What build:agent does for mqtt.js too: ws tries these in a try/catch and does without.
    external: ['bufferutil', 'utf-8-validate'],
    // As build:agent: bundled CommonJS code calls require() for Node built-ins, which ESM lacks.
    banner: {
      js: "import { createRequire as __benchCreateRequire } from 'node:module'\nconst require = __benchCreateRequire(import.meta.url)",
    },
    logLevel: 'warning',
  })
  return { agent: built.bundle, bare }
}

export interface Cloud {
  process: CloudProcess
  pid(): number
  port: number
  url: string
  creds: Credentials[]
  start(): Promise<void>
  stop(): Promise<void>
  /** Sum of the quantities on the bench household's list, through the HTTP API. */
  listSum(): Promise<number>
}

/** A provisioned data dir (`agents` agents, half the codes in the catalogue) and the cloud on it. */
export async function prepareCloud(dir: string, agents: number, codes: string[]): Promise<Cloud> {
  const dataDir = join(dir, 'cloud')
  const creds = await provision(dataDir, agents, codes)
  const db = await openDatabase({ dataDir })
  const token = await createToken(db, { scope: 'household', householdId: HOUSEHOLD, name: 'bench' }).finally(
    () => db.destroy(),
  )
  const mqttPort = await freePort()
  const httpPort = await freePort()
  const proc = new CloudProcess({
    RELAIS_DATA_DIR: dataDir,
    RELAIS_MQTT_HOST: '127.0.0.1',
    RELAIS_MQTT_PORT: String(mqttPort),
    RELAIS_HTTP_HOST: '127.0.0.1',
    RELAIS_HTTP_PORT: String(httpPort),
    // Every scan counts, so the list's sum checks that every drained event was applied once.
    RELAIS_SCAN_DEBOUNCE_MS: '0',
    RELAIS_LOG_LEVEL: 'warn',
  })
  return {
    process: proc,
    pid: () => proc.child!.pid!,
    port: mqttPort,
    url: `mqtt://127.0.0.1:${mqttPort}`,
    creds,
    start: async () => {
      // Tracked from its spawn, so the child is killed on exit even if start() fails afterwards.
      proc.onSpawn = track
      await proc.start()
    },
    stop: () => proc.kill('SIGTERM'),
    listSum: async () => {
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/households/${HOUSEHOLD}/list`, {
        headers: { authorization: `Bearer ${token}` },
      })
      if (!res.ok) throw new Error(`list API: HTTP ${res.status}`)
      const body = (await res.json()) as { items: Array<{ quantity: number }> }
      return body.items.reduce((s, it) => s + it.quantity, 0)
    },
  }
}

export interface AgentSpec {
  cred: Credentials
  url: string
  dataDir: string
  /** Codes the simulated scanner scans on its own, one every `intervalMs`; none: an idle scanner. */
  codes?: string[]
  intervalMs?: number
  inflight?: number
}

/** Writes the agent's config file: simulated scanner, log feedback, health every 60 s. */
export function writeAgentConfig(file: string, s: AgentSpec): string {
  const simulated = s.codes?.length ? { codes: s.codes, intervalMs: s.intervalMs ?? 1000 } : undefined
  const config = {
    agent: { id: s.cred.agent },
    broker: { url: s.url, username: s.cred.username, secret: s.cred.password },
    dataDir: s.dataDir,
    outbox: { inflight: s.inflight ?? 20 },
    health: { intervalS: 60 },
    log: { level: 'info' },
    scanners: [{ id: 'scanner-1', driver: 'simulated', ...(simulated ? { simulated } : {}) }],
    feedback: { kind: 'log' },
  }
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`)
  return file
}

// RELAIS_AGENT_* in the bench's own environment would override the config file; '' is ignored.
const NO_AGENT_OVERRIDES = Object.fromEntries(
  ['ID', 'BROKER_URL', 'SECRET', 'DATA_DIR', 'LOG_LEVEL', 'CONFIG'].map((k) => [`RELAIS_AGENT_${k}`, '']),
)

export function startAgent(form: Form, configFile: string, bundles: Bundles): BenchProcess {
  const entry = form === 'bundle' ? bundles.agent : join(root, 'edge', 'bin', 'relais-agent.mjs')
  return BenchProcess.start(`agent (${form})`, [entry, '--config', configFile], { env: NO_AGENT_OVERRIDES })
}

/** The baseline process, subscribed to the agent's config topic as the agent is. */
export function startBare(form: Form, cred: Credentials, url: string, bundles: Bundles): BenchProcess {
  const args =
    form === 'bundle'
      ? [bundles.bare]
      : ['--import', 'tsx', join(root, 'scripts', 'bench', 'bare-mqtt-client.ts')]
  return BenchProcess.start(`bare MQTT.js client (${form})`, args, {
    env: {
      BENCH_URL: url,
      BENCH_AGENT: cred.agent,
      BENCH_SECRET: cred.password,
      BENCH_TOPIC: topics.config(cred.agent),
    },
  })
}
