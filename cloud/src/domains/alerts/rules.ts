// The alert rules, pure: from what is known now, each rule says of each subject either "active" (a
// condition, with its key: rule + agent (+ device)), "ok" (the condition has ended: its alert clears) or
// nothing (not enough known: an open alert stays open, e.g. after a restart before the agent reports).
// Clearing needs a margin past the raising threshold where a reading can wobble (no flapping).
import type { AgentAvailability } from '../availability/availability-state.js'
import type { AlertSettings, Severity } from './alert-settings.js'
import { batteryOf, daysLeft } from './battery.js'
import type { HealthHistory } from './health-history.js'

export const RULES = [
  'offline',
  'battery_low',
  'battery_trend',
  'outbox_backlog',
  'clock_unsynced',
  'device_detached',
  'auth_failures',
  'ingest_rejects',
] as const
export type RuleName = (typeof RULES)[number]

/** Critical alerts are delivered during quiet hours; the rest wait for them to end. */
export const SEVERITY: Record<RuleName, Severity> = {
  offline: 'critical',
  auth_failures: 'critical',
  battery_low: 'warning',
  battery_trend: 'warning',
  outbox_backlog: 'warning',
  clock_unsynced: 'warning',
  device_detached: 'warning',
  ingest_rejects: 'warning',
}

export interface Condition {
  key: string
  rule: RuleName
  subject: string
  device: string | null
  severity: Severity
  message: string
  details: Record<string, unknown>
}

export interface RuleInput {
  now: number
  agents: Iterable<AgentAvailability>
  history: HealthHistory
  /** Refused CONNECTs per remote address in the window; `complete`: a whole window was watched. */
  authFailures: { counts: Map<string, number>; complete: boolean }
  rejects: { counts: Map<string, number>; complete: boolean }
  /** Agents revoked (decommissioned): gone on purpose, so their being offline is no incident. */
  revoked?: ReadonlySet<string>
  /** The open alerts: the windowed rules clear one whose subject had nothing in a whole window. */
  open: Iterable<{ rule: string; subject: string }>
}

export const alertKey = (rule: RuleName, subject: string, device?: string | null) =>
  device ? `${rule}:${subject}:${device}` : `${rule}:${subject}`

export function evaluateRules(input: RuleInput, s: AlertSettings): { active: Condition[]; ok: Set<string> } {
  const active: Condition[] = []
  const ok = new Set<string>()
  const verdict = (
    rule: RuleName,
    subject: string,
    device: string | null,
    on: boolean | undefined,
    message: () => string,
    details: Record<string, unknown> = {},
  ) => {
    const key = alertKey(rule, subject, device)
    if (on === true)
      active.push({ key, rule, subject, device, severity: SEVERITY[rule], message: message(), details })
    else if (on === false) ok.add(key)
  }
  const { now } = input
  for (const a of input.agents) {
    const agent = a.agent
    if (a.state === 'online' || input.revoked?.has(agent)) verdict('offline', agent, null, false, () => '')
    else if (a.state === 'offline' && a.since !== null && now - a.since >= s.offlineAfterMs)
      verdict(
        'offline',
        agent,
        null,
        true,
        () => `${agent} offline since ${iso(a.since!)} (${a.offlineCause})`,
        {
          since: a.since,
          cause: a.offlineCause,
          lastSeen: a.lastSeen,
        },
      )

    const battery = batteryOf(a.health?.fields)
    if (battery !== undefined) {
      const low = battery.unit === 'pct' ? s.batteryLowPct : s.batteryLowV
      const margin = battery.unit === 'pct' ? 5 : 0.1
      const on = battery.value <= low ? true : battery.value > low + margin ? false : undefined
      verdict('battery_low', agent, null, on, () => `${agent} battery at ${fmt(battery)}`, { ...battery })
    }
    const h = input.history.get(agent)
    if (h !== undefined && h.batteryUnit !== null) {
      const empty = h.batteryUnit === 'pct' ? 0 : s.batteryEmptyV
      const days = daysLeft(h.battery, now, empty, s.trendWindowMs / 7, 4)
      if (days !== undefined) {
        const on = days < s.batteryDays ? true : days >= s.batteryDays * 1.25 ? false : undefined
        verdict('battery_trend', agent, null, on, () => `${agent} battery empty in ${days.toFixed(1)} days`, {
          daysLeft: Number.isFinite(days) ? Math.round(days * 10) / 10 : null,
        })
      }
    }
    if (h !== undefined && h.depths.length > 0) {
      const d = h.depths
      const last = d[d.length - 1]!
      const rising = d.length > s.backlogReports && d.every((v, i) => i === 0 || v > d[i - 1]!)
      const falling = last === 0 || (d.length >= 2 && last < d[d.length - 2]!)
      verdict(
        'outbox_backlog',
        agent,
        null,
        rising ? true : falling ? false : undefined,
        () => `${agent} outbox growing: ${d.join(' -> ')}`,
        { depths: [...d] },
      )
    }
    if (h !== undefined && h.clockSynced !== null) {
      const on = h.unsyncedSince !== null ? now - h.unsyncedSince >= s.clockGraceMs || undefined : false
      verdict('clock_unsynced', agent, null, on, () => `${agent} clock not synchronised`, {
        since: h.unsyncedSince,
      })
    }
    for (const dev of a.devices.values()) {
      const on = dev.state === 'attached' ? false : now - dev.since >= s.detachedGraceMs || undefined
      verdict(
        'device_detached',
        agent,
        dev.id,
        on,
        () => `${agent}/${dev.id} (${dev.kind ?? 'device'}) detached${dev.detail ? `: ${dev.detail}` : ''}`,
        { kind: dev.kind, since: dev.since, detail: dev.detail },
      )
    }
  }
  const open = [...input.open]
  windowRule(
    'auth_failures',
    input.authFailures,
    s.authFailures.count,
    open,
    active,
    ok,
    (k, n) => `${n} refused MQTT connections from ${k} in ${s.authFailures.windowMs / 60_000} min`,
  )
  windowRule(
    'ingest_rejects',
    input.rejects,
    s.rejects.count,
    open,
    active,
    ok,
    (k, n) => `${n} events of ${k} rejected by ingest in ${s.rejects.windowMs / 60_000} min`,
  )
  return { active, ok }
}

function windowRule(
  rule: RuleName,
  w: { counts: Map<string, number>; complete: boolean },
  threshold: number,
  open: Array<{ rule: string; subject: string }>,
  active: Condition[],
  ok: Set<string>,
  message: (key: string, n: number) => string,
): void {
  for (const [subject, n] of w.counts) {
    const key = alertKey(rule, subject)
    if (n >= threshold)
      active.push({
        key,
        rule,
        subject,
        device: null,
        severity: SEVERITY[rule],
        message: message(subject, n),
        details: { count: n },
      })
  }
  // An open alert whose subject had nothing in a whole window has ended. Below the threshold but not
  // nothing: the alert stays (no flapping around the threshold).
  if (!w.complete) return
  for (const a of open) if (a.rule === rule && !w.counts.has(a.subject)) ok.add(alertKey(rule, a.subject))
}

const iso = (ms: number) => new Date(ms).toISOString()
const fmt = (b: { unit: 'pct' | 'v'; value: number }) => (b.unit === 'pct' ? `${b.value} %` : `${b.value} V`)
