// Test support: the cloud as its own process (`relais serve`), killed and restarted at will.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import mqtt from 'mqtt'
import { freePort, waitFor } from '../../../scripts/testkit/services.js'
import { databaseEnv } from './database.js'

/** On a PostgreSQL run, the data dir's database (support/database.ts); nothing on SQLite. */
const dbEnvOf = async (env: Record<string, string>) =>
  env.RELAIS_DATA_DIR === undefined ? {} : databaseEnv(env.RELAIS_DATA_DIR)

const bin = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'relais.mjs')
const run = promisify(execFile)
const START_MS = 60_000

/** Runs a `relais` CLI command and parses its --json output line. */
export async function relaisJson(
  env: Record<string, string>,
  ...args: string[]
): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [bin, ...args, '--json'], {
    env: { ...process.env, ...env, ...(await dbEnvOf(env)) },
  })
  return JSON.parse(stdout.trim().split('\n').pop()!)
}

export class CloudProcess {
  child?: ChildProcess
  output = ''

  constructor(private readonly env: Record<string, string>) {}

  /** Told of the child as soon as it is spawned (a bench kills its children when it exits). */
  onSpawn?: (child: ChildProcess) => void

  async start(): Promise<void> {
    const dbEnv = await dbEnvOf(this.env)
    this.child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, RELAIS_LOG_LEVEL: 'warn', ...this.env, ...dbEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.onSpawn?.(this.child)
    this.child.stdout!.on('data', (d) => {
      this.output += d
    })
    this.child.stderr!.on('data', (d) => {
      this.output += d
    })
    // A process that dies at start (a port taken between freePort and its bind, a bad setting) fails the
    // start at once, with what it said; a start that never comes fails after a minute, with the same (a
    // liveness bound: a cold start compiles the TypeScript and migrates a fresh database, and CI runs
    // two test files side by side on two cores).
    const child = this.child
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`the cloud exited at start (${code ?? signal})`)),
      ),
    )
    exited.catch(() => {})
    try {
      await Promise.race([this.ready(), exited])
    } catch (err) {
      throw new Error(`${(err as Error).message}; its output: ${this.output.slice(-3000)}`)
    }
  }

  private ready(): Promise<unknown> {
    // With an external broker the cloud has no MQTT listener: it is ready when HTTP answers, which it
    // does only after the broker link and ingest started (cloud.ts boot order).
    if (this.env.RELAIS_BROKER_URL) {
      return waitFor(
        'the cloud to answer /healthz',
        async () =>
          (await fetch(`http://127.0.0.1:${this.env.RELAIS_HTTP_PORT}/healthz`).catch(() => undefined))?.ok,
        START_MS,
      )
    }
    return waitFor(
      'the cloud to accept MQTT connections',
      () =>
        new Promise<boolean>((resolve) => {
          const c = mqtt.connect({
            host: '127.0.0.1',
            port: Number(this.env.RELAIS_MQTT_PORT),
            reconnectPeriod: 0,
            connectTimeout: 1000,
          })
          c.on('connect', () => resolve(true))
          // CONNACK 5 (no credentials) still proves the broker is up.
          c.on('error', (e) => resolve((e as { code?: number }).code === 5))
          c.on('close', () => c.end(true))
        }),
      START_MS,
    )
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child
    // A child ended by a signal keeps exitCode null: signalCode says it is gone too.
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      // A graceful stop that hangs is a bug the test should see fail, not wait on forever.
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      child.kill(signal)
    })
  }
}

/**
 * `relais serve` on loopback ports free when asked, with `env`. A port may be taken before the cloud
 * binds it (test files run side by side, and outgoing connections draw from the same range): the cloud
 * then says so and exits, and is started again on new ports. A start that fails otherwise is stopped and
 * thrown.
 */
export async function startOnFreePorts(
  env: Record<string, string>,
): Promise<{ cloud: CloudProcess; env: Record<string, string> }> {
  for (let attempt = 1; ; attempt++) {
    const withPorts = {
      ...env,
      RELAIS_MQTT_HOST: '127.0.0.1',
      RELAIS_MQTT_PORT: String(await freePort()),
      RELAIS_HTTP_HOST: '127.0.0.1',
      RELAIS_HTTP_PORT: String(await freePort()),
    }
    const cloud = new CloudProcess(withPorts)
    try {
      await cloud.start()
      return { cloud, env: withPorts }
    } catch (err) {
      await cloud.kill('SIGKILL')
      if (attempt >= 3 || !/is taken by another process|is already in use/.test((err as Error).message))
        throw err
    }
  }
}
