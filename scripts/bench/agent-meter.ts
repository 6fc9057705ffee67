// One process's footprint over a window, from /proc: mean and largest RSS, CPU as % of one core, and
// the share of the window its main thread was runnable but had no CPU (others' load on a shared box).
import { readFileSync } from 'node:fs'
import { cpuSeconds, rssBytes, runQueueWaitSeconds } from './proc-stats.js'

/**
 * The anonymous part of the RSS (heaps, native allocations) in bytes. VmRSS also counts the file pages
 * mapped from the node binary and shared libraries (about 40 MB, shared by every Node process), which
 * dilute a ratio between two Node processes; this is what each process holds of its own.
 */
export function rssAnonBytes(pid: number): number {
  const m = /^RssAnon:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

export interface Footprint {
  seconds: number
  rssMB: number
  rssMinMB: number
  rssMaxMB: number
  /** Mean RssAnon: the process's own memory, without the shared file pages. */
  anonMB: number
  cpuPercent: number
  cpuWaitPercent: number
}

export class Meter {
  private readonly t0 = performance.now()
  private readonly cpu0: number
  private readonly wait0: number
  private readonly rss: number[] = []
  private readonly anon: number[] = []
  private readonly timer: NodeJS.Timeout

  constructor(
    readonly pid: number,
    everyMs = 250,
  ) {
    this.cpu0 = cpuSeconds(pid)
    this.wait0 = runQueueWaitSeconds(pid)
    this.sample()
    this.timer = setInterval(() => this.sample(), everyMs)
  }

  stop(): Footprint {
    clearInterval(this.timer)
    this.sample()
    const seconds = (performance.now() - this.t0) / 1000
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
    return {
      seconds,
      rssMB: mean(this.rss) / 2 ** 20,
      rssMinMB: Math.min(...this.rss) / 2 ** 20,
      rssMaxMB: Math.max(...this.rss) / 2 ** 20,
      anonMB: mean(this.anon) / 2 ** 20,
      cpuPercent: ((cpuSeconds(this.pid) - this.cpu0) / seconds) * 100,
      cpuWaitPercent: ((runQueueWaitSeconds(this.pid) - this.wait0) / seconds) * 100,
    }
  }

  private sample(): void {
    try {
      this.rss.push(rssBytes(this.pid))
      this.anon.push(rssAnonBytes(this.pid))
    } catch {
      // The process is gone: stop() fails with the reason; a sample less changes nothing.
    }
  }
}
