// Phase 3, the drain after an outage: the cloud stopped, a backlog of scans in the agent's outbox (written
// through Outbox.add, as the scanner feature writes them), the agent started and left retrying; then the
// cloud starts and the clock runs until the last ack. Checked: every scan on the list once, the outbox
// empty. Baseline in the same run: one bare MQTT.js client pushing as many scans through the same
// cloud, just restarted too, with the same window (W scans unacked at a time, as `outbox.inflight`).
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Outbox } from '../../edge/src/outbox/outbox.js'
import { type Footprint, Meter } from './agent-meter.js'
import { type Bundles, type Cloud, startAgent, writeAgentConfig } from './agent-setup.js'
import { BenchClient } from './load.js'
import { benchCodes, type Credentials, ScanSource, SOURCE_STEP_MS } from './workload.js'

export interface DrainResult {
  window: number
  events: number
  /** Outbox.add of the backlog, while the cloud was down (setup, not the drain). */
  fillSeconds: number
  /** From the cloud accepting connections to the agent connected: its reconnect back-off. */
  reconnectSeconds: number
  /** From the agent connected to the last ack (agent's log times). */
  drainSeconds: number
  perSecond: number
  /** Over the drain, from the agent's reconnect to its last ack. */
  agent: Footprint
  cloud: Footprint
  baseline: { seconds: number; perSecond: number }
  /** Gained by the list's sum of quantities: must equal `events`. */
  listDelta: number
  outboxLeft: number
}

export async function measureDrain(
  dir: string,
  cloud: Cloud,
  bundles: Bundles,
  o: { window: number; events: number; agentCred: Credentials; baselineCred: Credentials },
  progress: (line: string) => void,
): Promise<DrainResult> {
  const { window, events } = o
  const dataDir = join(dir, `drain-${window}`)
  const sum0 = await cloud.listSum()
  progress(`drain W=${window}: cloud stopped, ${events} scans into the agent's outbox`)
  await cloud.stop()
  const fillSeconds = fill(dataDir, o.agentCred.agent, events)

  const config = writeAgentConfig(join(dir, `drain-${window}.json`), {
    cred: o.agentCred,
    url: cloud.url,
    dataDir,
    inflight: window,
  })
  const agent = startAgent('bundle', config, bundles)
  try {
    await agent.waitLine(
      'to find the broker gone',
      (l) => l.msg === 'disconnected; reconnecting after back-off',
    )
    progress(`drain W=${window}: agent offline with ${events} queued; starting the cloud`)
    await cloud.start()
    const up = Date.now()
    const connected = await agent.waitLine('to reconnect', (l) => l.msg === 'connected', 120_000)
    // From the reconnect (seen within 50 ms): CPU while draining, not while waiting out the back-off.
    const meters = { agent: new Meter(agent.pid), cloud: new Meter(cloud.pid()) }
    await agent.waitUntil(`${events} acks`, () => agent.count('scan acknowledged') >= events, 120_000)
    const footprint = { agent: meters.agent.stop(), cloud: meters.cloud.stop() }
    const lastAck = agent.lines.findLast((l) => l.msg === 'scan acknowledged')!
    const drainSeconds = (lastAck.time! - connected.time!) / 1000
    await agent.stop()
    const outboxLeft = outboxDepth(dataDir)
    const listDelta = (await cloud.listSum()) - sum0

    // The baseline meets a cloud just restarted too (cold JIT and caches), as the agent did.
    progress(`drain W=${window}: cloud restarted; baseline, a bare client pushing ${events} scans`)
    await cloud.stop()
    await cloud.start()
    const baseline = await pushThrough(cloud, o.baselineCred, events, window)
    return {
      window,
      events,
      fillSeconds,
      reconnectSeconds: (connected.time! - up) / 1000,
      drainSeconds,
      perSecond: events / drainSeconds,
      ...footprint,
      baseline,
      listDelta,
      outboxLeft,
    }
  } finally {
    await agent.stop()
  }
}

/** The backlog: valid scan envelopes of `agent`, source times in the past as if scanned offline. */
function fill(dataDir: string, agent: string, events: number): number {
  const t0 = Date.now() - events * SOURCE_STEP_MS - 60_000
  const source = new ScanSource(agent, benchCodes(), t0, `bench-outage-${t0.toString(36)}`)
  const outbox = new Outbox({ dataDir, maxEntries: Math.max(100_000, events) })
  const started = performance.now()
  try {
    for (let i = 0; i < events; i++) {
      const { id, payload } = source.next()
      outbox.add(id, source.topic, payload)
    }
  } finally {
    outbox.close()
  }
  return (performance.now() - started) / 1000
}

function outboxDepth(dataDir: string): number {
  const db = new Database(join(dataDir, 'outbox.db'), { readonly: true })
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** Keeps `window` scans unacked until `n` are acked; seconds from the first send to the last ack. */
async function pushThrough(
  cloud: Cloud,
  cred: Credentials,
  n: number,
  window: number,
): Promise<{ seconds: number; perSecond: number }> {
  const source = new ScanSource(cred.agent, benchCodes(), Date.now(), `bench-push-${Date.now().toString(36)}`)
  const client = await BenchClient.connect(cloud.port, cred, source)
  try {
    const t0 = performance.now()
    let sent = 0
    let acked = 0
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`baseline: ${acked} of ${n} acked after 120 s`)),
        120_000,
      )
      client.onAck = () => {
        acked++
        if (sent < n) {
          sent++
          client.send()
        }
        if (acked === n) {
          clearTimeout(timer)
          resolve()
        }
      }
      for (; sent < Math.min(window, n); sent++) client.send()
    })
    const seconds = (performance.now() - t0) / 1000
    return { seconds, perSecond: n / seconds }
  } finally {
    await client.close()
  }
}
