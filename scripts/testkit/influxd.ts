// A throwaway InfluxDB 1.x server for one test: its own temp dir (meta, data, wal), loopback ports only,
// no usage reporting, no self-monitoring database, quiet logs. Imported by tests only.
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { superviseServer } from './server-process.js'
import { findExecutable, freePort } from './services.js'

export interface Influxd {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  /** Stops the server (TERM, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>
}

/** The influxd binary (the Debian package puts it in /usr/bin), or undefined when not installed. */
export function findInfluxd(): string | undefined {
  return findExecutable('influxd')
}

export interface StartInfluxdOptions {
  /** The binary; default findInfluxd(). */
  bin?: string
  /** HTTP port; default a free one. A test of an outage picks the port first and starts the server later. */
  port?: number
  timeoutMs?: number
}

export async function startInfluxd(opts: StartInfluxdOptions = {}): Promise<Influxd> {
  const bin = opts.bin ?? findInfluxd()
  if (bin === undefined) throw new Error('influxd not found (apt-get install influxdb)')
  const port = opts.port ?? (await freePort())
  const rpcPort = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'relais-influxd-'))
  const config = join(dir, 'influxdb.conf')
  // Keys of both spellings: upstream 1.x reads reporting-disabled, Debian's 1.6 reporting-enabled; each
  // ignores the other's. [ifql] exists in 1.6 only, where it is on by default and binds :8082.
  writeFileSync(
    config,
    `reporting-disabled = true
reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[ifql]
  enabled = false
[continuous_queries]
  log-enabled = false
[logging]
  level = "warn"
  suppress-logo = true
`,
  )
  const child = spawn(bin, ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  const server = superviseServer(child, {
    name: 'influxd',
    dir,
    askStop: () => child.kill('SIGTERM'),
    kill: () => child.kill('SIGKILL'),
  })
  const url = `http://127.0.0.1:${port}`
  await server.ready(
    `influxd on ${url}`,
    async () => (await fetch(`${url}/ping`)).status === 204,
    opts.timeoutMs,
  )
  const stop = server.stop
  return { url, port, stop }
}
