// The agent bench's processes, each its own OS process so /proc reads it alone: agents (the esbuild
// bundle that ships, or the sources through tsx), the bare MQTT.js client and one-off helpers. Every
// child is killed, and every temp dir removed, when the bench process exits, Ctrl-C included.
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '../testkit/services.js'

export const root = join(fileURLToPath(import.meta.url), '..', '..', '..')

const children = new Set<ChildProcess>()
const dirs = new Set<string>()
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

/** Kills `child` (SIGKILL) if it is still running when the bench exits. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Removes `dir` when the bench exits, or at once with `removeNow`. */
export function tempDir(dir: string): { dir: string; removeNow: () => void } {
  dirs.add(dir)
  return {
    dir,
    removeNow: () => {
      dirs.delete(dir)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A JSON log line (pino: `msg`, `time` in epoch ms) or, for plain text, `{ msg: <the line> }`. */
export interface LogLine {
  msg: string
  time?: number
  msgId?: string
  [field: string]: unknown
}

/** A Node child whose stdout lines are kept (parsed when JSON) and counted by `msg`. */
export class BenchProcess {
  readonly lines: LogLine[] = []
  private readonly counts = new Map<string, number>()
  private buf = ''
  private tail = ''

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d: Buffer) => {
      this.buf += d
      const lines = this.buf.split('\n')
      this.buf = lines.pop()!
      for (const l of lines) this.take(l)
    })
    // stderr is only for the error message when something fails: its last 4 KB.
    child.stderr!.on('data', (d: Buffer) => {
      this.tail = (this.tail + d).slice(-4096)
    })
  }

  static start(name: string, args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) {
    const child = spawn(process.execPath, args, {
      cwd: o.cwd ?? root,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return new BenchProcess(name, track(child))
  }

  get pid(): number {
    return this.child.pid!
  }

  count(msg: string): number {
    return this.counts.get(msg) ?? 0
  }

  /** The first line (kept or still to come) that `match` accepts; fails if the process exits first. */
  waitLine(what: string, match: (l: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    return this.waitUntil(what, () => this.lines.find(match), timeoutMs)
  }

  /** Polls `check` until it is truthy; fails if the process exits first. */
  waitUntil<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    return waitFor(
      `${this.name}: ${what}`,
      async () => {
        const v = check()
        if (v) return v
        if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode}: ${this.tail}`)
        return undefined
      },
      timeoutMs,
    )
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs = 10_000): Promise<void> {
    const c = this.child
    if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      const force = setTimeout(() => c.kill('SIGKILL'), graceMs)
      c.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      c.kill('SIGTERM')
    })
  }

  /** What the process wrote to stderr last, for error messages. */
  get stderr(): string {
    return this.tail
  }

  private take(text: string): void {
    let line: LogLine = { msg: text }
    if (text.startsWith('{')) {
      try {
        line = JSON.parse(text) as LogLine
      } catch {
        // A partial or foreign line: kept as text.
      }
    }
    this.lines.push(line)
    this.counts.set(line.msg, this.count(line.msg) + 1)
  }
}
