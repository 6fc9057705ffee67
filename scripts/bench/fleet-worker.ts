// A fleet load-generator process (child_process.fork, IPC): holds its share of the fleet's connections,
// paces its share of the scan rate, and for the Mosquitto ceiling saturates with bare QoS 1 publishes.
// The parent (fleet-workers.ts) sends one command at a time and waits for its answer.
import { FleetAgent } from './fleet-agent.js'
import type { WorkerCommand, WorkerReply } from './fleet-workers.js'

const agents: FleetAgent[] = []
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const reply = (r: WorkerReply) => process.send!(r)

process.on('message', (cmd: WorkerCommand) => {
  handle(cmd).then(reply, (err: Error) => reply({ type: 'error', message: err.stack ?? String(err) }))
})
// Orphaned (the bench was killed): go too, so no connection outlives it.
process.on('disconnect', () => process.exit(0))

async function handle(cmd: WorkerCommand): Promise<WorkerReply> {
  switch (cmd.type) {
    case 'connect': {
      const started = performance.now()
      // A few at a time: each first CONNECT costs the cloud an scrypt check, and a flood of them only
      // makes every one wait longer.
      for (let i = 0; i < cmd.creds.length; i += cmd.concurrency) {
        const part = cmd.creds.slice(i, i + cmd.concurrency)
        const made = await Promise.all(
          part.map((c) =>
            FleetAgent.connect({
              ...cmd.setup,
              port: c.port ?? cmd.setup.port,
              agent: c.agent,
              username: c.username,
              password: c.password,
            }),
          ),
        )
        agents.push(...made)
      }
      return { type: 'connected', n: agents.length, ms: performance.now() - started }
    }
    case 'scan':
      return scanFor(cmd.rate, cmd.ms, cmd.drainMs)
    case 'saturate':
      return saturate(cmd.window, cmd.ms)
    case 'close':
      await Promise.all(agents.map((a) => a.close()))
      agents.length = 0
      return { type: 'closed' }
  }
}

/** Scans at `rate`/s, round robin over this worker's agents, for `ms`; then waits for the last acks. */
async function scanFor(rate: number, ms: number, drainMs: number): Promise<WorkerReply> {
  const latencies: number[] = []
  const outcomes: Record<string, number> = {}
  const unmatched0 = sum((a) => a.unmatched)
  const errors0 = sum((a) => a.publishErrors)
  const health0 = sum((a) => a.healthSent)
  for (const a of agents) {
    a.onAck = (latencyMs, outcome) => {
      latencies.push(latencyMs)
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
    }
  }
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  let sent = 0
  let next = 0
  // What the clock says is due, every few ms: no drift from late timers (as phases.ts does).
  const pacer = setInterval(() => {
    const target = Math.floor(((performance.now() - started) * rate) / 1000)
    for (; sent < target; sent++) agents[next++ % agents.length]!.scan()
  }, 5)
  await sleep(ms)
  clearInterval(pacer)
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpu0)
  const until = Date.now() + drainMs
  while (sum((a) => a.pending.size) > 0 && Date.now() < until) await sleep(20)
  const lost = sum((a) => a.pending.size)
  for (const a of agents) {
    a.pending.clear()
    a.onAck = () => {}
  }
  return {
    type: 'scanned',
    seconds,
    sent,
    latencies,
    outcomes,
    lost,
    unmatched: sum((a) => a.unmatched) - unmatched0,
    publishErrors: sum((a) => a.publishErrors) - errors0,
    healthSent: sum((a) => a.healthSent) - health0,
    held: agents.filter((a) => !a.closed).length,
    cpuPercent: (cpu.user + cpu.system) / 1e4 / seconds,
    rssMB: process.memoryUsage().rss / 2 ** 20,
  }
}

/** Keeps `window` bare QoS 1 publishes outstanding per agent for `ms`; counts the PUBACKs in that time. */
async function saturate(window: number, ms: number): Promise<WorkerReply> {
  let acked = 0
  let failed = 0
  let running = true
  const started = performance.now()
  const loop = (a: FleetAgent) => {
    a.publishRaw((ok) => {
      if (ok) acked++
      else failed++
      if (running && ok) loop(a)
    })
  }
  for (const a of agents) for (let i = 0; i < window; i++) loop(a)
  await sleep(ms)
  running = false
  const counted = acked
  const seconds = (performance.now() - started) / 1000
  // Let the publishes still in flight finish before the connections close.
  await sleep(200)
  return { type: 'saturated', seconds, acked: counted, failed }
}

function sum(f: (a: FleetAgent) => number): number {
  let s = 0
  for (const a of agents) s += f(a)
  return s
}
