// CPU and memory of another process, read from /proc (Linux only), so the server is measured apart
// from the load generator that shares the machine with it.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

// utime and stime are in clock ticks; 100 on nearly every Linux, but ask rather than assume.
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** User + system CPU seconds used so far by `pid` (all its threads: libuv pool, GC, fsync). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' do not.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND
}

/** Fields 3 onwards of /proc/<pid>/stat (the command name, which may hold spaces, cut off). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/**
 * CPU seconds of `pid` and all its descendants, live ones and those already reaped (PostgreSQL: the
 * postmaster and a backend per connection). A child that exits mid-window moves its time from the live
 * sum to its parent's cutime/cstime, so a difference of two readings stays right.
 */
export function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // rest[1] is field 4, the parent's pid.
      const ppid = Number(statFields(Number(name))[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)])
    } catch {
      // Gone between the listing and the read.
    }
  }
  let total = 0
  const visit = (p: number) => {
    try {
      const f = statFields(p)
      // utime, stime, cutime, cstime: fields 14 to 17.
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND
    } catch {
      return
    }
    for (const c of children.get(p) ?? []) visit(c)
  }
  visit(pid)
  return total
}

/**
 * User + system CPU seconds so far of each thread of `pid`, by thread id (the main thread's id is the
 * pid): which thread is the bottleneck, the event loop or a worker (Relais' SQLite writer).
 */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
      out.set(Number(tid), (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND)
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out
}

/**
 * Seconds the main thread of `pid` (the event loop) has spent runnable but waiting for a CPU. On a
 * shared machine this is how much of the measured latency is other people's load.
 */
export function runQueueWaitSeconds(pid: number): number {
  // /proc/<pid>/schedstat: time on CPU, time waiting on a run queue (both ns), timeslices.
  const fields = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ')
  return Number(fields[1]) / 1e9
}

/** Resident set size of `pid` in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  return m ? Number(m[1]) * 1024 : 0
}

/** Samples RSS every `everyMs` and keeps the largest value seen until stopped. */
export class RssSampler {
  max = 0
  private timer?: NodeJS.Timeout

  constructor(
    private readonly pid: number,
    private readonly everyMs = 100,
  ) {}

  start(): this {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.everyMs)
    return this
  }

  stop(): number {
    clearInterval(this.timer)
    this.sample()
    return this.max
  }

  private sample(): void {
    try {
      this.max = Math.max(this.max, rssBytes(this.pid))
    } catch {
      // The process is gone: the phase will fail on its own with a clearer message than ENOENT.
    }
  }
}
