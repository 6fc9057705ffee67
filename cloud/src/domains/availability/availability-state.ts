// One agent's availability as people should trust it (issue 6): online/offline from its retained status
// and its will, silence past its device class's timeout, and no flapping: a link that goes down is only
// declared offline once it has stayed down for the grace period, and a reconnect within the grace is not
// an incident. Functions here change one record and do no I/O, so the rules are tested without a broker.
import type { Health } from '@relais/hardware'
import { localDay } from '../pickups/local-time.js'
import { type SilenceSettings, silenceTimeoutMs } from './device-class.js'

export type DeclaredState = 'online' | 'offline' | 'unknown'
export type OfflineCause = 'status' | 'silence'

/** Why the agent's last MQTT connection ended, as the broker saw it (connection-watch.ts). */
export type DisconnectReason =
  | 'clean'
  | 'keepalive_timeout'
  | 'refused_auth'
  | 'replaced_session'
  | 'socket_error'
  | 'server_shutdown'

export interface DeviceStatusView {
  id: string
  kind: string | null
  state: 'attached' | 'detached'
  detail: string | null
  /** When the cloud saw this state begin (clock ms). */
  since: number
}

export interface AgentAvailability {
  agent: string
  state: DeclaredState
  /** When the declared state began: for offline, when the link went down (or last sign of life). */
  since: number | null
  session: string | null
  offlineCause: OfflineCause | null
  /** The link went down (will or own offline status) at this time; declared offline after the grace. */
  pendingDownAt: number | null
  lastSeen: number | null
  kinds: string[]
  lastDisconnect: { reason: DisconnectReason; at: number; detail: string | null } | null
  sessionsDay: string | null
  sessionsCount: number
  /** Reconnects within the grace period since the cloud started: flaps that were not incidents. */
  flaps: number
  devices: Map<string, DeviceStatusView>
  health: { at: number; fields: Health } | null
  /** Changed since last written to the database. */
  dirty: boolean
  /** The lastSeen last written: a fresher one alone is written at most once a minute. */
  savedSeen: number | null
}

/** Last seen alone changes with every message; the stored copy may lag this much (silence is minutes). */
export const SEEN_WRITE_MS = 60_000

export interface AvailabilitySettings extends SilenceSettings {
  graceMs: number
  timeZone: string
}

export function newAvailability(agent: string): AgentAvailability {
  return {
    agent,
    state: 'unknown',
    since: null,
    session: null,
    offlineCause: null,
    pendingDownAt: null,
    lastSeen: null,
    kinds: [],
    lastDisconnect: null,
    sessionsDay: null,
    sessionsCount: 0,
    flaps: 0,
    devices: new Map(),
    health: null,
    dirty: true,
    savedSeen: null,
  }
}

/** The agent's retained status (DESIGN.md, status row): its birth says online, its will says offline. */
export function applyStatus(
  r: AgentAvailability,
  state: 'online' | 'offline',
  session: string,
  now: number,
): void {
  r.dirty = true
  if (state === 'online') {
    r.lastSeen = now
    if (r.pendingDownAt !== null) {
      // Back within the grace period: a flap, not an incident; `since` stays as it was.
      r.pendingDownAt = null
      r.flaps++
    }
    if (r.state !== 'online') {
      r.state = 'online'
      r.since = now
      r.offlineCause = null
    }
    r.session = session
    return
  }
  // The will of an older session, fired after the new session's birth (a restart quicker than the
  // broker's keep-alive timeout, MQTT-3.1.2-8 publishes it late), must not take the live session down.
  if (r.state === 'online' && r.pendingDownAt === null && r.session !== null && session !== r.session) return
  if (r.state === 'offline') {
    r.offlineCause = 'status'
    return
  }
  r.pendingDownAt ??= now
}

/** Any message the agent sent itself (its will, sent by the broker for it, does not count). */
export function applySeen(r: AgentAvailability, now: number): void {
  r.lastSeen = now
  if (r.savedSeen === null || now - r.savedSeen >= SEEN_WRITE_MS) r.dirty = true
  // Declared silent, yet it speaks: the connection was alive after all.
  if (r.state === 'offline' && r.offlineCause === 'silence') {
    r.dirty = true
    r.state = 'online'
    r.since = now
    r.offlineCause = null
  }
}

export function applyInfoKinds(r: AgentAvailability, kinds: string[]): void {
  r.kinds = [...new Set(kinds)].sort()
  r.dirty = true
}

export function applyDeviceStatus(
  r: AgentAvailability,
  device: string,
  data: { state: 'attached' | 'detached'; kind?: string; detail?: string },
  now: number,
): void {
  const before = r.devices.get(device)
  r.devices.set(device, {
    id: device,
    kind: data.kind ?? before?.kind ?? null,
    state: data.state,
    detail: data.detail ?? null,
    since: before?.state === data.state ? before.since : now,
  })
}

export function applyDisconnect(
  r: AgentAvailability,
  reason: DisconnectReason,
  detail: string | null,
  now: number,
): void {
  r.lastDisconnect = { reason, at: now, detail }
  r.dirty = true
}

/** One more MQTT session (a CONNECT accepted) on the local day of `now`. */
export function applySession(r: AgentAvailability, now: number, timeZone: string): void {
  const day = localDay(now, timeZone)
  if (r.sessionsDay !== day) {
    r.sessionsDay = day
    r.sessionsCount = 0
  }
  r.sessionsCount++
  r.dirty = true
}

export function sessionsToday(r: AgentAvailability, now: number, timeZone: string): number {
  return r.sessionsDay === localDay(now, timeZone) ? r.sessionsCount : 0
}

/**
 * Declares what time has decided: a link down for the whole grace period is offline since it went
 * down; an online agent silent past its class's timeout (counted from `listeningSince` at the earliest,
 * when the cloud started) is offline since it was last seen.
 * Returns the new state when it changed.
 */
export function settle(
  r: AgentAvailability,
  now: number,
  s: AvailabilitySettings,
  listeningSince = Number.NEGATIVE_INFINITY,
): DeclaredState | null {
  if (r.pendingDownAt !== null && now - r.pendingDownAt >= s.graceMs) {
    const at = r.pendingDownAt
    r.pendingDownAt = null
    r.dirty = true
    if (r.state !== 'offline') {
      r.state = 'offline'
      r.since = at
      r.offlineCause = 'status'
      return 'offline'
    }
    return null
  }
  if (r.state === 'online' && r.pendingDownAt === null && r.lastSeen !== null) {
    // Time the cloud was not listening (down, restarting) is not the agent's silence: after a start,
    // every agent gets its whole timeout to reconnect before it is declared gone.
    if (now - Math.max(r.lastSeen, listeningSince) >= silenceTimeoutMs(r.kinds, s)) {
      r.state = 'offline'
      r.since = r.lastSeen
      r.offlineCause = 'silence'
      r.dirty = true
      return 'offline'
    }
  }
  return null
}
