// A throwaway Mosquitto broker for one test: its own temp dir (config, password file, ACL), a loopback
// listener on a free port, no anonymous clients, no persistence. Imported by tests only.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { superviseServer } from './server-process.js'
import { findExecutable, freePort } from './services.js'

export interface MosquittoUser {
  username: string
  password: string
  /** ACL lines for this user, as in mosquitto.conf(5): 'read relais/v1/#', 'write relais/v1/a/#'. */
  acl: string[]
}

export interface Mosquitto {
  /** mqtt://127.0.0.1:<port> */
  url: string
  port: number
  /** What the broker logged lately (connections, refusals), for assertions and failure messages. */
  log(): string
  /** Stops the broker (TERM, then KILL after 5 s) and removes its directory. */
  stop(): Promise<void>
}

/** sh -c GUARD name <mosquitto> <config> <dir>: runs the broker until stdin closes, then cleans up. */
const GUARD = `exec 3<&0
"$1" -c "$2" &
pid=$!
(read -r _ <&3; kill "$pid" 2>/dev/null) &
wait "$pid"
status=$?
rm -rf "$3"
exit $status`

export const MOSQUITTO_INSTALL = 'apt-get install mosquitto mosquitto-clients'

/** The broker (Debian: /usr/sbin/mosquitto) and mosquitto_passwd, or undefined unless both exist. */
export function findMosquitto(): { bin: string; passwd: string } | undefined {
  const bin = findExecutable('mosquitto')
  const passwd = findExecutable('mosquitto_passwd')
  return bin && passwd ? { bin, passwd } : undefined
}

export interface StartMosquittoOptions {
  users: MosquittoUser[]
  /**
   * Any client, no password file, no ACL (a bench's ceiling: the broker's raw rate with nothing checked).
   * `users` may then be empty.
   */
  anonymous?: boolean
  /**
   * Ready-made files (`relais broker export-mosquitto`) instead of `users`, which may then be empty;
   * `probe` is a login in them, to tell when the broker is ready. Kept when the broker stops, so a
   * restart on the same port finds them.
   */
  files?: { passwords: string; acl: string; probe: { username: string; password: string } }
  /** More mosquitto.conf lines, e.g. `max_queued_messages 10000`. */
  extraConfig?: string[]
  /** Default a free one; give the port of a stopped broker to restart it where its clients reconnect. */
  port?: number
  timeoutMs?: number
}

export async function startMosquitto(opts: StartMosquittoOptions): Promise<Mosquitto> {
  const found = findMosquitto()
  if (found === undefined) throw new Error(`mosquitto not found (${MOSQUITTO_INSTALL})`)
  const first =
    opts.users[0] ??
    (opts.files ? { ...opts.files.probe, acl: [] } : undefined) ??
    (opts.anonymous ? { username: 'anonymous', password: '', acl: [] } : undefined)
  if (first === undefined) throw new Error('startMosquitto needs at least one user')
  const port = opts.port ?? (await freePort())
  // mkdtemp makes the folder 0700: the password file's hashes stay private to this user.
  const dir = mkdtempSync(join(tmpdir(), 'relais-mosquitto-'))
  const passwords = opts.files?.passwords ?? join(dir, 'passwd')
  const acl = opts.files?.acl ?? join(dir, 'acl')
  const config = join(dir, 'mosquitto.conf')
  if (opts.files === undefined) writeUsers(found.passwd, passwords, acl, opts.users)

  // stderr, not stdout: stdout is block-buffered into a pipe, so log() would lag behind the broker.
  // Started as root, Mosquitto switches to the `mosquitto` user, which could not read this folder:
  // name the current user, which makes that switch a no-op.
  writeFileSync(
    config,
    `per_listener_settings false
listener ${port} 127.0.0.1
${opts.anonymous ? 'allow_anonymous true' : `allow_anonymous false\npassword_file ${passwords}\nacl_file ${acl}`}
persistence false
user ${userInfo().username}
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
${(opts.extraConfig ?? []).join('\n')}
`,
  )
  // The broker runs under a small sh that stops it and removes the folder once our end of its stdin
  // closes: on stop(), and also when the test process is SIGKILLed (the runner's timeout), which no
  // 'exit' handler sees. Its own process group, so a last-resort kill reaches the broker too.
  const child = spawn('/bin/sh', ['-c', GUARD, 'relais-mosquitto', found.bin, config, dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  })
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }
  const server = superviseServer(child, {
    name: 'mosquitto',
    dir,
    askStop: () => child.stdin?.end(),
    kill: killGroup,
    logBytes: 20_000,
  })
  const stop = server.stop

  const url = `mqtt://127.0.0.1:${port}`
  await server.ready(`mosquitto on ${url}`, () => canConnect(url, first), opts.timeoutMs)
  return { url, port, log: server.log, stop }
}

/** One MQTT connect as `user`: true once the listener is up and the password file loaded. */
async function canConnect(url: string, user: MosquittoUser): Promise<boolean> {
  const client = await mqtt.connectAsync(url, {
    username: user.username,
    password: user.password,
    clientId: `relais-testkit-probe-${process.pid}`,
    reconnectPeriod: 0,
    connectTimeout: 2000,
  })
  await client.endAsync()
  return true
}

/** The password file (through mosquitto_passwd) and the ACL of `users`. */
function writeUsers(passwd: string, passwords: string, acl: string, users: MosquittoUser[]): void {
  users.forEach((u, i) => {
    // -c creates the file with the first user; -b takes the password from the command line.
    execFileSync(passwd, [...(i === 0 ? ['-c'] : []), '-b', passwords, u.username, u.password], {
      stdio: 'ignore',
    })
  })
  writeFileSync(
    acl,
    users.map((u) => [`user ${u.username}`, ...u.acl.map((l) => `topic ${l}`), ''].join('\n')).join('\n'),
  )
}
