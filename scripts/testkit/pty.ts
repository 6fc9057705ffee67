// A pseudo-terminal "serial scanner" for tests of the real serial driver (see pty-bridge.py).
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findExecutable } from './services.js'

export class PtyScanner {
  private child?: ChildProcess

  constructor(readonly path: string) {}

  static available(): string | undefined {
    return findExecutable('python3')
  }

  async start(): Promise<void> {
    const script = join(fileURLToPath(import.meta.url), '..', 'pty-bridge.py')
    this.child = spawn(PtyScanner.available() ?? 'python3', [script, this.path], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    await new Promise<void>((resolve, reject) => {
      this.child!.stdout!.once('data', () => resolve())
      this.child!.once('exit', (code) => reject(new Error(`pty bridge exited with ${code}`)))
    })
  }

  /** Sends one code, terminated with CR as most scanners do. */
  scan(code: string): void {
    this.child!.stdin!.write(`${code}\n`)
  }

  stop(): void {
    this.child?.kill()
  }
}
