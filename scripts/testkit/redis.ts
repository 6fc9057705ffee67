// A throwaway Redis server for tests: a temp dir, TCP on a free loopback port only (no Unix socket), no
// snapshots and no append-only file (the data dies with the test). Imported by tests only.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { superviseServer } from './server-process.js'
import { findExecutable, freePort } from './services.js'

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string
  port: number
  /** The server's process, for a bench reading its CPU and memory from /proc. */
  pid: number
  log(): string
  /** Stops the server (TERM, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>
}

export const redisInstallHint = 'apt-get install redis-server'

/** Debian's redis-server, or undefined. */
export function findRedis(): string | undefined {
  return findExecutable('redis-server')
}

export async function startRedis(opts: { bin?: string; port?: number; timeoutMs?: number } = {}) {
  const bin = opts.bin ?? findRedis()
  if (bin === undefined) throw new Error(`redis-server not found (${redisInstallHint})`)
  const dir = mkdtempSync(join(tmpdir(), 'relais-redis-'))
  const port = opts.port ?? (await freePort())
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  )
  const server = superviseServer(child, {
    name: 'redis-server',
    dir,
    askStop: () => child.kill('SIGTERM'),
    kill: () => child.kill('SIGKILL'),
  })
  await server.ready(`redis-server on port ${port}`, () => ping(port), opts.timeoutMs)
  const result: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    log: server.log,
    stop: server.stop,
  }
  return result
}

/** PING in the inline protocol; true on +PONG. No client library: the launcher needs none. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port })
    let got = ''
    s.on('connect', () => s.write('PING\r\n'))
    s.on('data', (d) => {
      got += d.toString()
      if (got.includes('\r\n')) {
        s.destroy()
        resolve(got.startsWith('+PONG'))
      }
    })
    s.on('error', () => resolve(false))
  })
}
