// What the cloud knows about one agent right now, built only from the retained topics of the contract
// (status, info, health, device status). A pure reducer, so the rules are tested without a broker.
import type { AgentStatus, Envelope, Health, Info, Topic } from '@relais/hardware'

export type DeviceState = 'attached' | 'detached' | 'unknown'

export interface DeviceStatusSnapshot {
  state: 'attached' | 'detached'
  kind: string | null
  detail: string | null
  /** When the cloud saw this state begin (epoch ms). */
  since: number
}

export interface AgentSnapshot {
  agent: string
  online: boolean
  /** When the cloud saw the current online/offline state begin; null: not heard from since it started. */
  since: number | null
  session: string | null
  /** The last message the agent itself sent (its will, sent by the broker for it, does not count). */
  lastSeen: number | null
  info: Info | null
  health: { at: number; fields: Health } | null
  devices: ReadonlyMap<string, DeviceStatusSnapshot>
}

/** A device as people see it: from the agent's birth (info) and its own retained status. */
export interface DeviceView {
  id: string
  kind: string | null
  state: DeviceState
  detail: string | null
}

/** What the HTTP layer reads; the AgentState feature implements it. */
export interface AgentStateReader {
  get(agent: string): AgentSnapshot | undefined
}

export function emptySnapshot(agent: string): AgentSnapshot {
  return {
    agent,
    online: false,
    since: null,
    session: null,
    lastSeen: null,
    info: null,
    health: null,
    devices: new Map(),
  }
}

// Health fields are whatever numbers an agent sends; a count is shown only when it is one.
const count = (v: unknown): number | null =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : null
export const pendingOf = (s: AgentSnapshot): number | null => count(s.health?.fields.outbox_depth)
export const droppedOf = (s: AgentSnapshot): number | null => count(s.health?.fields.outbox_dropped)

/** Devices named by the birth message and by device statuses, by id. */
export function deviceViews(s: AgentSnapshot): DeviceView[] {
  const kinds = new Map((s.info?.devices ?? []).map((d) => [d.id, d.kind]))
  const ids = [...new Set([...kinds.keys(), ...s.devices.keys()])].sort()
  return ids.map((id) => {
    const st = s.devices.get(id)
    return {
      id,
      kind: st?.kind ?? kinds.get(id) ?? null,
      state: st?.state ?? 'unknown',
      detail: st?.detail ?? null,
    }
  })
}

/** The fields a person sees; a change in any of them is worth telling open pages about. */
function visibleKey(s: AgentSnapshot): string {
  return JSON.stringify([
    s.online,
    s.since,
    s.session,
    s.info?.version ?? null,
    pendingOf(s),
    droppedOf(s),
    deviceViews(s),
  ])
}

/**
 * Applies one valid message (decodeMessage has checked topic, envelope and data) to the agent's state.
 * `visible` says whether anything a person sees changed: health arrives every few seconds and mostly
 * changes nothing on the page.
 */
export function reduceAgent(
  prev: AgentSnapshot,
  topic: Topic,
  message: Envelope,
  now: number,
): { next: AgentSnapshot; visible: boolean } {
  let next: AgentSnapshot
  switch (topic.kind) {
    case 'status': {
      const data = message.data as AgentStatus
      if (data.state === 'online') {
        const fresh = !prev.online || prev.session !== message.session
        next = {
          ...prev,
          online: true,
          session: message.session,
          since: fresh ? now : prev.since,
          lastSeen: now,
        }
      } else {
        // A will of an older session, fired after the new session's birth (a restart quicker than the
        // broker's keepalive timeout), must not turn the live session offline.
        if (prev.online && prev.session !== message.session) return { next: prev, visible: false }
        next = {
          ...prev,
          online: false,
          session: message.session,
          since: prev.online ? now : (prev.since ?? now),
        }
      }
      break
    }
    case 'info':
      next = { ...prev, info: message.data as Info, lastSeen: now }
      break
    case 'health':
      next = { ...prev, health: { at: now, fields: message.data as Health }, lastSeen: now }
      break
    case 'device-status': {
      const data = message.data as { state: 'attached' | 'detached'; kind?: string; detail?: string }
      const before = prev.devices.get(topic.device)
      const devices = new Map(prev.devices)
      devices.set(topic.device, {
        state: data.state,
        kind: data.kind ?? before?.kind ?? null,
        detail: data.detail ?? null,
        since: before?.state === data.state ? before.since : now,
      })
      next = { ...prev, devices, lastSeen: now }
      break
    }
    default:
      return { next: prev, visible: false }
  }
  return { next, visible: visibleKey(prev) !== visibleKey(next) }
}
