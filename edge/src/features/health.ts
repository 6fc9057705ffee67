// The agent's health, published retained at QoS 0 every few seconds (DESIGN.md, health row): uptime,
// memory, event-loop lag, outbox depth and drops, clock sync, CPU temperature where the board has one.
import { existsSync, readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { makeEnvelope, topics } from '@relais/hardware'
import type { Logger } from '../lib/logger.js'
import type { MqttLink } from '../link/mqtt-link.js'
import type { Session } from '../link/session.js'
import type { Outbox } from '../outbox/outbox.js'
import type { OutboxSender } from '../outbox/sender.js'

export interface HealthOptions {
  agent: string
  intervalS: number
  link: MqttLink
  outbox: Outbox
  sender: OutboxSender
  session: Session
  log: Logger
  /** Where the board reports temperature and clock sync; injectable for tests. */
  paths?: { thermal?: string; timesync?: string }
}

const THERMAL = '/sys/class/thermal/thermal_zone0/temp'
// systemd-timesyncd creates this file once the clock is synchronised (see systemd-timesyncd.service(8)).
const TIMESYNC = '/run/systemd/timesync/synchronized'

export class HealthFeature {
  readonly name = 'health'
  private timer?: NodeJS.Timeout
  // 100 ms sampling: 20 ms woke an idle agent 50 times a second (0.3% of a core, measured by bench:agent).
  private readonly lag = monitorEventLoopDelay({ resolution: 100 })
  private readonly startedAt = Date.now()

  constructor(private readonly o: HealthOptions) {}

  start(): void {
    this.lag.enable()
    this.setInterval(this.o.intervalS)
    this.o.link.on('connected', this.onConnected)
  }

  /** Publishes every `seconds` from now on (a config push may change it). */
  setInterval(seconds: number): void {
    clearInterval(this.timer)
    this.o.intervalS = seconds
    this.timer = setInterval(() => void this.publish(), seconds * 1000)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.lag.disable()
    this.o.link.off('connected', this.onConnected)
  }

  private readonly onConnected = () => void this.publish()

  /** The current health fields (numbers, booleans or null where unknown). */
  snapshot(): Record<string, number | boolean | null> {
    const mem = process.memoryUsage()
    return {
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
      event_loop_lag_ms: Math.round((this.lag.percentile(99) / 1e6) * 10) / 10,
      outbox_depth: this.o.outbox.depth,
      outbox_dropped: this.o.outbox.dropped,
      outbox_inflight: this.o.sender.inflight,
      clock_synced: this.clockSynced(),
      cpu_temp_c: this.cpuTemp(),
    }
  }

  private async publish(): Promise<void> {
    const { agent, session } = this.o
    const env = makeEnvelope({
      agent,
      type: 'health',
      session: session.id,
      seq: session.next(),
      data: this.snapshot(),
    })
    this.lag.reset()
    await this.o.link.publish(topics.health(agent), JSON.stringify(env), { qos: 0, retain: true })
  }

  private cpuTemp(): number | null {
    try {
      const milli = Number(readFileSync(this.o.paths?.thermal ?? THERMAL, 'utf8').trim())
      return Number.isFinite(milli) ? Math.round(milli / 100) / 10 : null
    } catch {
      return null
    }
  }

  private clockSynced(): boolean | null {
    const path = this.o.paths?.timesync ?? TIMESYNC
    if (existsSync(path)) return true
    // Without timesyncd's state folder we cannot tell; say unknown rather than "not synced".
    return existsSync('/run/systemd/timesync') ? false : null
  }
}
