// What the ops page's event stream carries: `agent` when anything the fleet list shows of one agent
// changed. Two sources: the fleet's agent state announces visible changes as they happen (a device
// detached, a new version, the outbox depth, the will); availability and alerts change on the alert
// evaluator's clock (offline is declared when the grace period ends, an alert is raised, acknowledged or
// cleared) without an event of their own, so a short loop compares what they hold now with what it saw
// last. Both are in memory: the loop reads no database, and costs microseconds per agent.
import { EventEmitter } from 'node:events'
import type { Logger } from '../../lib/logger.js'
import type { Alert } from '../alerts/alert-store.js'
import type { AvailabilityReader } from '../availability/availability-tracker.js'
import type { AgentChange, FleetEvents } from './fleet-events.js'

export interface OpsWatchOptions {
  fleetEvents?: FleetEvents
  availability?: AvailabilityReader
  /** The alert engine's open alerts (raised or acknowledged, not cleared). */
  openAlerts?: () => Iterable<Alert>
  log: Logger
  /** How often availability and alerts are compared; 1 s unless a test says. */
  everyMs?: number
}

export class OpsWatch extends EventEmitter<{ agent: [{ agent: string }] }> {
  private timer?: NodeJS.Timeout
  private seen = new Map<string, string>()
  private readonly onChange = (c: AgentChange) => this.emit('agent', { agent: c.agent })

  constructor(private readonly o: OpsWatchOptions) {
    super()
    // One listener per open ops page.
    this.setMaxListeners(0)
  }

  start(): void {
    this.seen = this.keys()
    this.o.fleetEvents?.on('change', this.onChange)
    this.timer = setInterval(() => this.compare(), this.o.everyMs ?? 1000)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.o.fleetEvents?.off('change', this.onChange)
  }

  private keys(): Map<string, string> {
    const alerts = new Map<string, string[]>()
    for (const a of this.o.openAlerts?.() ?? [])
      alerts.set(a.subject, [...(alerts.get(a.subject) ?? []), `${a.id}:${a.ackedAt ?? ''}`])
    const keys = new Map<string, string>()
    for (const r of this.o.availability?.all() ?? []) {
      const d = r.lastDisconnect
      keys.set(r.agent, `${r.state}|${r.since}|${r.pendingDownAt}|${d?.at}|${d?.reason}`)
    }
    for (const [agent, list] of alerts) keys.set(agent, `${keys.get(agent) ?? ''}|${list.sort().join(',')}`)
    return keys
  }

  /** Never throws: a failed comparison is logged and the next one tries again. */
  private compare(): void {
    try {
      const now = this.keys()
      for (const [agent, key] of now) if (this.seen.get(agent) !== key) this.emit('agent', { agent })
      for (const agent of this.seen.keys()) if (!now.has(agent)) this.emit('agent', { agent })
      this.seen = now
    } catch (err) {
      this.o.log.error({ err }, 'ops watch comparison failed')
    }
  }
}
