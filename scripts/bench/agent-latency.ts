// Phase 4, scan-to-ack latency with everything up: the agent's simulated scanner scans at a steady pace;
// each scan is timed from the agent's 'scan stored' log line (after the outbox's fsync) to its 'scan
// acknowledged' line (the cloud's ack received and the entry removed, fsync again), both by the agent's
// own clock (pino `time`, 1 ms steps). Baseline in the same window: a bare MQTT.js client publishing
// scans at the same pace to the same cloud, timed from publish to ack (hrtime).
import { join } from 'node:path'
import { type Footprint, Meter } from './agent-meter.js'
import { type Bundles, type Cloud, startAgent, writeAgentConfig } from './agent-setup.js'
import { BenchClient } from './load.js'
import { quantile } from './phases.js'
import { benchCodes, type Credentials, ScanSource } from './workload.js'

export interface Latencies {
  scans: number
  acked: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface LatencyResult {
  rate: number
  seconds: number
  agent: Latencies & { footprint: Footprint }
  baseline: Latencies
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function latencies(ms: number[], scans: number): Latencies {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    scans,
    acked: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  }
}

export async function measureLatency(
  dir: string,
  cloud: Cloud,
  bundles: Bundles,
  o: { rate: number; seconds: number; agentCred: Credentials; baselineCred: Credentials },
  progress: (line: string) => void,
): Promise<LatencyResult> {
  const config = writeAgentConfig(join(dir, 'latency.json'), {
    cred: o.agentCred,
    url: cloud.url,
    dataDir: join(dir, 'latency'),
    codes: benchCodes(),
    intervalMs: Math.round(1000 / o.rate),
  })
  const agent = startAgent('bundle', config, bundles)
  const source = new ScanSource(o.baselineCred.agent, benchCodes(), Date.now(), `bench-lat-${Date.now()}`)
  const client = await BenchClient.connect(cloud.port, o.baselineCred, source)
  try {
    await agent.waitLine('to connect', (l) => l.msg === 'connected')
    // Scans made before the connection waited in the outbox: a second of steady state first.
    await sleep(1000)
    progress(`latency: ${o.rate} scans/s for ${o.seconds} s, agent and bare client side by side`)
    const base: number[] = []
    let baseSent = 0
    client.onAck = (sentAt, receivedAt) => base.push(Number(receivedAt - sentAt) / 1e6)
    const from = Date.now()
    const meter = new Meter(agent.pid)
    const pacer = setInterval(() => {
      baseSent++
      client.send()
    }, 1000 / o.rate)
    await sleep(o.seconds * 1000)
    clearInterval(pacer)
    const until = Date.now()
    const footprint = meter.stop()
    const stored = new Map<string, number>()
    for (const l of agent.lines)
      if (l.msg === 'scan stored' && l.time! >= from && l.time! < until) stored.set(l.msgId!, l.time!)
    const acks = () => agent.lines.filter((l) => l.msg === 'scan acknowledged' && stored.has(l.msgId!))
    await agent
      .waitUntil('the last acks', () => acks().length >= stored.size && client.pending.size === 0, 10_000)
      .catch(() => undefined) // what is still missing then shows as acked < scans
    const ms = acks().map((l) => l.time! - stored.get(l.msgId!)!)
    return {
      rate: o.rate,
      seconds: (until - from) / 1000,
      agent: { ...latencies(ms, stored.size), footprint },
      baseline: latencies(base, baseSent),
    }
  } finally {
    await client.close()
    await agent.stop()
  }
}
