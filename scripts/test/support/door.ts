// What the beacon end-to-end test uses around the shop door: the recorded capture a replay reader reads,
// the relais CLI run in process against the cloud's data dir, the HTTP API with a bearer token, and the
// agent's JSON log kept in memory to read the order things happened in.
import { writeFileSync } from 'node:fs'
import pino from 'pino'
import type { CliContext } from '../../../cloud/src/cli/context.js'
import { main } from '../../../cloud/src/cli/main.js'
import type { ShopDoorScenario } from '../../../simulators/src/index.js'

/** Writes the scenario as a capture file: JSON lines of { t, address, rssi, hex } (replay.ts). */
export function writeCapture(file: string, s: ShopDoorScenario): number {
  const lines = s.advertisements.map((a) =>
    JSON.stringify({ t: a.at, address: a.address, rssi: a.rssi, hex: Buffer.from(a.data!).toString('hex') }),
  )
  writeFileSync(file, `${lines.join('\n')}\n`)
  return lines.length
}

/** `relais <args> --json` against a data dir; its JSON answer, or throws with what it printed. */
export async function relais(dataDir: string, ...args: string[]): Promise<Record<string, unknown>> {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: true,
    env: { RELAIS_DATA_DIR: dataDir },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main([...args, '--json'], ctx)
  if (code !== 0) throw new Error(`relais ${args.join(' ')}: exit ${code}: ${[...out, ...err].join('\n')}`)
  return JSON.parse(out.at(-1)!) as Record<string, unknown>
}

export class Api {
  constructor(private readonly base: string) {}

  /** The response's status and JSON body (null when there is none). */
  async call<T = Record<string, unknown>>(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T }
  }

  /** The same, throwing unless the answer is 2xx. */
  async ok<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown) {
    const r = await this.call<T>(token, method, path, body)
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
}

export interface LogLine {
  msg: string
  level: number
  msgId?: string
  beacon?: string
  event?: string
  outcome?: string
  revision?: number
  revoked?: number
  [k: string]: unknown
}

/** A debug-level pino logger whose lines land, parsed and in order, in `lines` (writes are synchronous). */
export function memoryLog(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) })
  return { log, lines }
}
