// A server a test started (influxd, postgres, mosquitto): its output kept for error messages, killed with
// its temp folder removed if the test process exits without stop() (a failed assertion, a crash), and
// stopped politely first, then for good after 5 s.
import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { waitFor } from './services.js'

export interface ServerProcess {
  /** The last of what it printed. */
  log(): string
  /** Waits until `probe` answers, or throws with its output if it exits first; stops it on failure. */
  ready(what: string, probe: () => Promise<unknown>, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export function superviseServer(
  child: ChildProcess,
  o: {
    name: string
    /** Its temp folder, removed on stop and on exit. */
    dir: string
    /** Asks it to stop (a signal, or closing its stdin). */
    askStop: () => void
    /** The last resort, also used when the test process exits. */
    kill: () => void
    /** What the test process's exit does, when not `kill`. */
    killOnExit?: () => void
    logBytes?: number
  },
): ServerProcess {
  let output = ''
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-(o.logBytes ?? 4000))
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killOnExit = () => {
    ;(o.killOnExit ?? o.kill)()
    rmSync(o.dir, { recursive: true, force: true })
  }
  process.once('exit', killOnExit)

  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      o.askStop()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>((r) => {
        timer = setTimeout(() => r('late'), 5000)
      })
      if ((await Promise.race([exited, late])) === 'late') {
        o.kill()
        await exited
      }
      clearTimeout(timer)
    }
    rmSync(o.dir, { recursive: true, force: true })
  }

  const ready = async (what: string, probe: () => Promise<unknown>, timeoutMs?: number) => {
    try {
      await Promise.race([
        waitFor(what, async () => (await probe()) as boolean, timeoutMs),
        exited.then(() => {
          throw new Error(`${o.name} exited at start (code ${child.exitCode}): ${output.trim()}`)
        }),
      ])
    } catch (err) {
      await stop()
      throw err
    }
  }
  return { log: () => output, ready, stop }
}
