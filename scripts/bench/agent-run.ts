// Runs the whole agent bench: the bundles built and the cloud started once, then the phases in turn,
// each with its baseline in the same run: idle footprint (the outbox write rate runs while the idle
// processes settle), drain after an outage (one per inflight window), scan-to-ack latency.

import { mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DrainResult, measureDrain } from './agent-drain.js'
import { type IdlePair, measureIdle } from './agent-idle.js'
import { type LatencyResult, measureLatency } from './agent-latency.js'
import { measureOutbox, type OutboxResult } from './agent-outbox.js'
import { tempDir } from './agent-procs.js'
import { buildBundles, type Form, prepareCloud } from './agent-setup.js'
import { benchMeta } from './meta.js'
import { benchCodes, type Credentials } from './workload.js'

export interface AgentBenchOptions {
  /** Agent forms measured idle; the verdict is on 'bundle' (what ships). */
  forms: Form[]
  settleSeconds: number
  idleSeconds: number
  outboxSeconds: number
  drainEvents: number
  /** The agent's `outbox.inflight` for each drain. */
  drainWindows: number[]
  /** Scans per second (at most 100: the simulated scanner's interval is >= 10 ms). */
  latencyRate: number
  latencySeconds: number
  progress?: (line: string) => void
}

export interface AgentBenchRun {
  meta: {
    date: string
    node: string
    cpu: string
    cores: number
    /** 1-minute load average at start and end: the machine is shared, and it shows in the numbers. */
    load: [number, number]
    options: Omit<AgentBenchOptions, 'progress'>
    seconds: number
  }
  idle: IdlePair[]
  outbox: OutboxResult
  drain: DrainResult[]
  latency: LatencyResult
}

export async function runAgentBench(o: AgentBenchOptions): Promise<AgentBenchRun> {
  const { progress = () => {}, ...options } = o
  const started = performance.now()
  const loadBefore = loadavg()[0]!
  const tmp = tempDir(mkdtempSync(join(tmpdir(), 'relais-agent-bench-')))
  try {
    progress('building the agent bundle (build:agent, without npm install) and the bare client bundle')
    const bundles = await buildBundles(tmp.dir)
    progress('provisioning and starting relais serve')
    // Two accounts per idle form (agent, baseline); the later phases reuse the first two.
    const cloud = await prepareCloud(tmp.dir, Math.max(2, 2 * o.forms.length), benchCodes())
    const [agentCred, baselineCred] = cloud.creds as [Credentials, Credentials]
    await cloud.start()
    try {
      const { pairs: idle, during: outbox } = await measureIdle(
        tmp.dir,
        cloud,
        bundles,
        { forms: o.forms, settleMs: o.settleSeconds * 1000, sampleMs: o.idleSeconds * 1000 },
        progress,
        () => {
          progress(
            `outbox, while they settle: Outbox.add for ${o.outboxSeconds} s, then as many write+fsync appends`,
          )
          return measureOutbox(join(tmp.dir, 'outbox'), o.outboxSeconds)
        },
      )
      const drain: DrainResult[] = []
      for (const window of o.drainWindows) {
        const d = { window, events: o.drainEvents, agentCred, baselineCred }
        drain.push(await measureDrain(tmp.dir, cloud, bundles, d, progress))
      }
      const latency = await measureLatency(
        tmp.dir,
        cloud,
        bundles,
        { rate: o.latencyRate, seconds: o.latencySeconds, agentCred, baselineCred },
        progress,
      )
      return {
        meta: {
          ...benchMeta(loadBefore, options),
          seconds: (performance.now() - started) / 1000,
        },
        idle,
        outbox,
        drain,
        latency,
      }
    } catch (err) {
      throw new Error(`${String(err)}\ncloud output:\n${cloud.process.output.slice(-4000)}`)
    } finally {
      await cloud.stop()
    }
  } finally {
    tmp.removeNow()
  }
}
