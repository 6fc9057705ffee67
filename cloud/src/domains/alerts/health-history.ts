// The recent health of each agent, as the alert rules need it: battery readings over the trend window
// (thinned to one per `sampleEveryMs`, so a chatty agent costs no more than a quiet one), the last
// outbox depths, and since when its clock has been reported out of sync. In memory; after a restart the
// battery readings are seeded from the time series (seedBattery), the rest builds up again, and the
// rules say nothing until it has: their open alerts stay open.
import type { Health } from '@relais/hardware'
import { type BatteryReading, batteryOf } from './battery.js'

export interface AgentHealthHistory {
  battery: Array<{ at: number; value: number }>
  batteryUnit: BatteryReading['unit'] | null
  depths: number[]
  /** First report of `clock_synced: false` in the current run of them; null when synced or unknown. */
  unsyncedSince: number | null
  clockSynced: boolean | null
}

export interface HistorySettings {
  trendWindowMs: number
  sampleEveryMs: number
  /** Outbox depths kept: the backlog rule looks at the last N + 1. */
  depthReports: number
}

export class HealthHistory {
  private readonly agents = new Map<string, AgentHealthHistory>()

  constructor(private readonly s: HistorySettings) {}

  get(agent: string): AgentHealthHistory | undefined {
    return this.agents.get(agent)
  }

  /**
   * Older battery readings (from the time series) put before what arrived since; a reading in another
   * unit than the agent's current one is left out.
   */
  seedBattery(agent: string, unit: 'pct' | 'v', points: Array<{ at: number; value: number }>): void {
    const h = this.agents.get(agent)
    if (h === undefined || h.batteryUnit !== unit) return
    const first = h.battery[0]?.at ?? Number.POSITIVE_INFINITY
    const older: Array<{ at: number; value: number }> = []
    for (const p of points.sort((a, b) => a.at - b.at)) {
      const last = older[older.length - 1]
      if (
        p.at < first - this.s.sampleEveryMs &&
        (last === undefined || p.at - last.at >= this.s.sampleEveryMs)
      )
        older.push(p)
    }
    h.battery = [...older, ...h.battery]
  }

  record(agent: string, fields: Health, at: number): void {
    let h = this.agents.get(agent)
    if (h === undefined) {
      h = { battery: [], batteryUnit: null, depths: [], unsyncedSince: null, clockSynced: null }
      this.agents.set(agent, h)
    }
    const b = batteryOf(fields)
    if (b !== undefined) {
      // A change of unit (a firmware that starts reporting percent) starts the line again.
      if (h.batteryUnit !== b.unit) h.battery = []
      h.batteryUnit = b.unit
      const last = h.battery[h.battery.length - 1]
      if (last === undefined || at - last.at >= this.s.sampleEveryMs) h.battery.push({ at, value: b.value })
      while (h.battery.length > 0 && h.battery[0]!.at < at - this.s.trendWindowMs) h.battery.shift()
    }
    const depth = fields.outbox_depth
    if (typeof depth === 'number' && Number.isFinite(depth)) {
      h.depths.push(depth)
      if (h.depths.length > this.s.depthReports + 1) h.depths.shift()
    }
    const synced = fields.clock_synced
    if (synced === false) h.unsyncedSince ??= at
    else h.unsyncedSince = null
    h.clockSynced = typeof synced === 'boolean' ? synced : null
  }
}
