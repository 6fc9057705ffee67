// A throwaway PostgreSQL server for tests: initdb into a temp dir, TCP on a free loopback port only (no
// Unix socket), trust authentication (nothing but loopback can reach it), fsync off (the data dies with
// the test), C collation so ORDER BY on text sorts like SQLite. Imported by tests only.
//
// PostgreSQL refuses to run as root, and tests and CI run as root. Then initdb and postgres run as an
// unprivileged system user, RELAIS_PG_USER or Debian's `postgres` (the postgresql package creates it;
// .ci/run adds it if missing), through spawn's uid/gid: no sudo, runuser or shell in between.
import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { superviseServer } from './server-process.js'
import { freePort } from './services.js'

export interface Postgres {
  /** postgres://relais@127.0.0.1:<port>/postgres: the superuser, for creating databases. */
  url: string
  port: number
  /** The postmaster; each connection is a child process of it (a bench sums their CPU). */
  pid: number
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>
  /** Stops the server (fast shutdown, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>
}

/** The folder holding initdb and postgres (the newest of /usr/lib/postgresql/<version>/bin), or undefined. */
export function findPostgres(): string | undefined {
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin')
}

export const postgresInstallHint = 'apt-get install postgresql'

/** The uid/gid to run the server as: ourselves, or the unprivileged user when we are root. */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const user = process.env.RELAIS_PG_USER || 'postgres'
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())
    return { uid, gid }
  } catch {
    throw new Error(
      `running as root, and PostgreSQL refuses root: user '${user}' not found (${postgresInstallHint} creates 'postgres'; or set RELAIS_PG_USER)`,
    )
  }
}

let counter = 0

export interface StartPostgresOptions {
  bin?: string
  timeoutMs?: number
  /**
   * Let the test process exit while the server runs (it is then stopped by the exit hook): for a server
   * shared by a whole test file, which no test owns.
   */
  unref?: boolean
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<Postgres> {
  const bin = opts.bin ?? findPostgres()
  if (bin === undefined) throw new Error(`PostgreSQL not found (${postgresInstallHint})`)
  const who = serverIdentity()
  const dir = mkdtempSync(join(tmpdir(), 'relais-pg-'))
  if (who !== undefined) chownSync(dir, who.uid, who.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'relais', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { stdio: 'pipe', cwd: dir, ...who },
  )
  const child = spawn(
    join(bin, 'postgres'),
    // No Unix socket (its default folder, /var/run/postgresql, may not exist or be writable); fsync and
    // full-page writes off: a crash loses a throwaway database, nothing else.
    ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', '', '-F', '-c', 'full_page_writes=off'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, ...who },
  )
  const server = superviseServer(child, {
    name: 'postgres',
    dir,
    // SIGINT: fast shutdown (disconnects clients, no waiting for them to leave).
    askStop: () => child.kill('SIGINT'),
    kill: () => child.kill('SIGKILL'),
    // SIGQUIT is PostgreSQL's immediate shutdown: the postmaster takes its backends down with it.
    killOnExit: () => child.kill('SIGQUIT'),
  })
  const stop = server.stop

  const url = `postgres://relais@127.0.0.1:${port}/postgres`
  const { default: pg } = await import('pg')
  const admin = async <T>(fn: (c: InstanceType<typeof pg.Client>) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      return await fn(c)
    } finally {
      await c.end()
    }
  }
  await server.ready(`postgres on port ${port}`, () => admin(async () => true), opts.timeoutMs)
  if (opts.unref) {
    child.unref()
    for (const s of [child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.()
  }
  const createDatabase = async (name = `relais_${process.pid}_${++counter}`) => {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name '${name}': use [a-z0-9_]`)
    await admin((c) => c.query(`CREATE DATABASE ${name}`))
    return `postgres://relais@127.0.0.1:${port}/${name}`
  }
  return { url, port, pid: child.pid!, createDatabase, stop }
}
