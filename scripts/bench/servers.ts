// The two servers under test, each its own process on free loopback ports, so their CPU and memory are
// read apart from the load generator's: Relais (`relais serve`) and the bare Aedes baseline.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import mqtt from 'mqtt'
import { freePort, waitFor } from '../testkit/services.js'
import { provision } from './provision.js'
import type { Credentials } from './workload.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const bin = join(root, 'cloud', 'bin', 'relais.mjs')

/**
 * The Node flags `relais serve` runs with: those of the bin's `#!/usr/bin/env -S node ...` line. Both
 * servers get them, so the ratio compares the software, not two runtime settings.
 */
export const serverNodeFlags: string[] =
  readFileSync(bin, 'utf8')
    .split('\n', 1)[0]!
    .match(/^#!\S*env -S node(.*)$/)?.[1]
    ?.split(' ')
    .filter(Boolean) ?? []

export type ServerName = 'relais' | 'bare'

export interface Server {
  name: ServerName
  pid: number
  port: number
  /** The server's own output (warnings and errors only), for the report when something fails. */
  output(): string
  /** SIGTERM, then SIGKILL after 5 s; says whether the process had to be killed. */
  stop(): Promise<'stopped' | 'killed'>
}

/** Relais on a fresh data dir provisioned for `agents` agents; returns their credentials too. */
export async function startRelais(
  agents: number,
  codes: string[],
): Promise<{ server: Server; creds: Credentials[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relais-bench-'))
  try {
    const creds = await provision(dataDir, agents, codes)
    const port = await freePort()
    const env = {
      RELAIS_DATA_DIR: dataDir,
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_MQTT_PORT: String(port),
      RELAIS_HTTP_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: String(await freePort()),
      RELAIS_LOG_LEVEL: 'warn',
    }
    // BENCH_RELAIS_NODE_ARGS: extra Node flags for the Relais process, e.g. for a CPU profile
    // `--cpu-prof --cpu-prof-dir=bench-results` (written when it stops).
    const flags = (process.env.BENCH_RELAIS_NODE_ARGS ?? '').split(' ').filter(Boolean)
    const args = [...serverNodeFlags, ...flags, bin, 'serve']
    const server = await launch('relais', port, args, env, () =>
      rmSync(dataDir, { recursive: true, force: true }),
    )
    return { server, creds }
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
}

export async function startBare(): Promise<Server> {
  const port = await freePort()
  const entry = join(root, 'scripts', 'bench', 'bare-broker.ts')
  const args = [...serverNodeFlags, '--import', 'tsx', entry]
  return launch('bare', port, args, { BENCH_PORT: String(port) }, () => {})
}

async function launch(
  name: ServerName,
  port: number,
  args: string[],
  env: Record<string, string>,
  cleanup: () => void,
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d) => {
    output += d
  })
  child.stderr!.on('data', (d) => {
    output += d
  })
  // If the bench exits early (Ctrl-C, a crash), no server or data dir is left behind.
  const onExit = () => {
    child.kill('SIGKILL')
    cleanup()
  }
  process.once('exit', onExit)
  const server: Server = {
    name,
    pid: child.pid!,
    port,
    output: () => output,
    stop: async () => {
      process.off('exit', onExit)
      const how = await terminate(child)
      cleanup()
      return how
    },
  }
  try {
    await waitFor(
      `${name} to accept MQTT connections on 127.0.0.1:${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`)
        return probe(port)
      },
      60_000,
    )
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}

/** True when the broker answers a CONNECT; CONNACK 5 (no credentials) counts, it proves it is up. */
function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, reconnectPeriod: 0, connectTimeout: 1000 })
    c.on('connect', () => {
      c.end(true)
      resolve(true)
    })
    c.on('error', (e) => resolve((e as { code?: number }).code === 5))
    c.on('close', () => {
      c.end(true)
      resolve(false)
    })
  })
}

/** SIGTERM, then SIGKILL if the process has not gone within 5 s. */
function terminate(child: ChildProcess): Promise<'stopped' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve('stopped')
  return new Promise((resolve) => {
    let how: 'stopped' | 'killed' = 'stopped'
    const force = setTimeout(() => {
      how = 'killed'
      child.kill('SIGKILL')
    }, 5000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve(how)
    })
    child.kill('SIGTERM')
  })
}
