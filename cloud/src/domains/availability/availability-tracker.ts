// The availability feature: keeps an AgentAvailability per agent from every message under the agents'
// prefix (last seen), their retained status, info and device status topics, and the broker's connection
// events; declares offline when the grace or the silence timeout runs out (settle, called by the alert
// evaluator's loop); writes changed records to the database in batches. Never throws into the broker.
import {
  type AgentStatus,
  decodeMessage,
  type Feature,
  filters,
  type Health,
  parseTopic,
} from '@relais/hardware'
import type { Aedes } from 'aedes'
import type { MessageBus } from '../../ingest/bus.js'
import type { Clock } from '../../lib/clock.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import {
  type AgentAvailability,
  type AvailabilitySettings,
  applyDeviceStatus,
  applyDisconnect,
  applyInfoKinds,
  applySeen,
  applySession,
  applyStatus,
  newAvailability,
  settle,
} from './availability-state.js'
import { loadAvailability, saveAvailability } from './availability-store.js'
import { type ConnectionEvents, watchConnections } from './connection-watch.js'

export interface AvailabilityOptions {
  bus: MessageBus
  /** The embedded broker, for disconnect reasons and sessions; absent with an external broker. */
  aedes?: Aedes
  db: Db
  log: Logger
  clock: Clock
  settings: AvailabilitySettings
  /** Refused CONNECTs, by remote address (the alert rules count them). */
  onAuthFailure?: (remote: string, at: number) => void
  /** Every valid health message, for the history the alert rules fit trends on. */
  onHealth?: (agent: string, fields: Health, at: number) => void
}

export interface AvailabilityReader {
  get(agent: string): AgentAvailability | undefined
  all(): Iterable<AgentAvailability>
  readonly settings: AvailabilitySettings
}

export class AvailabilityTracker implements Feature, AvailabilityReader {
  readonly name = 'availability'
  private readonly log: Logger
  private readonly records = new Map<string, AgentAvailability>()
  private readonly stops: Array<() => Promise<void> | void> = []
  private listeningSince = 0

  constructor(private readonly o: AvailabilityOptions) {
    this.log = o.log.child({ module: 'availability' })
  }

  get settings(): AvailabilitySettings {
    return this.o.settings
  }

  async start(): Promise<void> {
    for (const r of await loadAvailability(this.o.db)) this.records.set(r.agent, r)
    this.listeningSince = this.o.clock.now()
    // What an agent publishes, kind by kind: one `relais/v1/+/#` would also bring every command the cloud
    // sends (an ack per event), only to be dropped here.
    const heard = [
      filters.allAgentTopic('status'),
      filters.allAgentTopic('info'),
      filters.allAgentTopic('health'),
      filters.allEvents(),
      filters.allTelemetry(),
      filters.allDeviceStatus(),
    ]
    for (const filter of heard)
      this.stops.push(await this.o.bus.subscribe(filter, (t, p) => this.receive(t, p)))
    if (this.o.aedes !== undefined) this.stops.push(watchConnections(this.o.aedes, this.connectionEvents))
    this.log.info({ agents: this.records.size }, 'availability started')
  }

  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop()
    // The last word of every agent, exactly: the silence clock resumes from it after the restart.
    for (const r of this.records.values()) if (r.lastSeen !== r.savedSeen) r.dirty = true
    await this.flush()
  }

  get(agent: string): AgentAvailability | undefined {
    return this.records.get(agent)
  }

  all(): Iterable<AgentAvailability> {
    return this.records.values()
  }

  /** Applies the grace and the silence timeouts at `now`; returns the agents declared offline. */
  settle(now = this.o.clock.now()): string[] {
    const down: string[] = []
    for (const r of this.records.values()) {
      if (settle(r, now, this.o.settings, this.listeningSince) === 'offline') {
        down.push(r.agent)
        this.log.info({ agent: r.agent, cause: r.offlineCause, since: r.since }, 'agent declared offline')
      }
    }
    return down
  }

  /** Writes the records that changed since the last flush. */
  async flush(): Promise<void> {
    const dirty = [...this.records.values()].filter((r) => r.dirty)
    const seen = dirty.map((r) => r.lastSeen)
    for (const r of dirty) r.dirty = false
    try {
      await saveAvailability(this.o.db, dirty, this.o.clock.now())
      dirty.forEach((r, i) => {
        r.savedSeen = seen[i]!
      })
    } catch (err) {
      for (const r of dirty) r.dirty = true
      throw err
    }
  }

  private record(agent: string): AgentAvailability {
    let r = this.records.get(agent)
    if (r === undefined) {
      r = newAvailability(agent)
      this.records.set(agent, r)
    }
    return r
  }

  /** One message under relais/v1/<agent>/. Never throws: one bad agent must not disturb the others. */
  receive(topic: string, payload: Buffer): void {
    try {
      const t = parseTopic(topic)
      // config and cmd are the cloud's own publications to the agent, not signs of its life.
      if (t === undefined || t.kind === 'config' || t.kind === 'cmd') return
      const now = this.o.clock.now()
      if (t.kind === 'event' || t.kind === 'telemetry') {
        applySeen(this.record(t.agent), now)
        return
      }
      const d = decodeMessage(topic, payload)
      if (!d.ok) return // counted and logged by the fleet state and ingest
      const r = this.record(t.agent)
      switch (t.kind) {
        case 'status': {
          const data = d.message.data as AgentStatus
          const wasOnline = r.state === 'online' && r.pendingDownAt === null
          applyStatus(r, data.state, d.message.session, now)
          if (data.state === 'online' && !wasOnline) this.log.info({ agent: t.agent }, 'agent online')
          return
        }
        case 'info':
          applySeen(r, now)
          applyInfoKinds(
            r,
            (d.message.data as { devices: Array<{ kind: string }> }).devices.map((x) => x.kind),
          )
          return
        case 'health':
          applySeen(r, now)
          r.health = { at: now, fields: d.message.data as Health }
          this.o.onHealth?.(t.agent, r.health.fields, now)
          return
        case 'device-status':
          applySeen(r, now)
          applyDeviceStatus(r, t.device, d.message.data as { state: 'attached' | 'detached' }, now)
          return
      }
    } catch (err) {
      this.log.error({ err, topic }, 'availability message failed')
    }
  }

  private readonly connectionEvents: ConnectionEvents = {
    session: (agent) => {
      const now = this.o.clock.now()
      const r = this.record(agent)
      applySession(r, now, this.o.settings.timeZone)
      applySeen(r, now)
    },
    seen: (agent) => {
      const r = this.records.get(agent)
      if (r !== undefined) applySeen(r, this.o.clock.now())
    },
    disconnected: (agent, reason, detail) => {
      // Refused CONNECTs carry any client id a stranger sent; only agents already known get a record.
      const r = reason === 'refused_auth' ? this.records.get(agent) : this.record(agent)
      if (r === undefined) return
      applyDisconnect(r, reason, detail, this.o.clock.now())
      this.log.info({ agent, reason, detail }, 'agent disconnected')
    },
    authFailure: (remote, clientId) => {
      this.log.debug({ remote, clientId }, 'refused connection counted')
      this.o.onAuthFailure?.(remote, this.o.clock.now())
    },
  }
}
