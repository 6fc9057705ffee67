// The Home Assistant bridge (RELAIS_HA_DISCOVERY=on): publishes, on the embedded broker, HA's MQTT
// discovery configs for every agent, scanner, button and presence zone, and the states they read. A
// feature like any other: start() subscribes and publishes everything, stop() says the bridge is offline.
//
// HA reads derived state topics under relais/ha/, not the agents' event topics: an event is sent again
// until acked, so HA would count a resent press twice; a scan event holds a code, while the product's
// name is known only once the cloud applied it; and an HA account that may read relais/ha/# and the
// agents' status topics needs no read of relais/v1/+/+/event/#, where enter and leave events name
// beacons (DESIGN.md, privacy).
//
// Kept in step by: agent births and status changes (fleet events), committed enters and leaves
// (presence events), acks and pickup notices (ha-applied.ts), HA's birth (`<prefix>/status` online: every
// config again, as HA's docs ask), and a periodic sync that sees what another process changed (the
// relais CLI adding or revoking agents, zones, stays closed by revocation or retention).
import { type Feature, filters } from '@relais/hardware'
import type { AgentSnapshot } from '../../domains/fleet/agent-snapshot.js'
import type { FleetEvents } from '../../domains/fleet/fleet-events.js'
import type { PresenceEvents } from '../../domains/presence/presence-events.js'
import type { PresenceEffect } from '../../domains/presence/presence-handler.js'
import type { MessageBus } from '../../ingest/bus.js'
import type { Logger } from '../../lib/logger.js'
import type { Db } from '../../storage/db.js'
import { AppliedEvents, type AppliedUpdate } from './ha-applied.js'
import { agentDiscovery, type DiscoveryContext, zoneDiscovery } from './ha-discovery.js'
import { agentInventory, latestPickup, zoneCount, zoneInventory } from './ha-inventory.js'
import { pickupState, zonePresenceState } from './ha-states.js'
import { haTopics } from './ha-topics.js'
import { RetainedSet } from './retained-set.js'

export interface HomeAssistantBridgeOptions {
  bus: MessageBus
  db: Db
  log: Logger
  /** HA's discovery prefix (RELAIS_HA_PREFIX). */
  prefix: string
  /** The cloud's version, in each config's `origin`. */
  version: string
  /** The fleet's agent state, when it runs: without it agents show no scanners or buttons. */
  snapshot?: (agent: string) => AgentSnapshot | undefined
  fleetEvents?: FleetEvents
  presenceEvents?: PresenceEvents
  /** Period of the sync that catches other processes' changes; default 30 s. */
  syncMs?: number
  now?: () => number
}

export class HomeAssistantBridge implements Feature {
  readonly name = 'homeassistant'
  private readonly log: Logger
  private readonly topics
  private readonly ctx: DiscoveryContext
  private readonly configs: RetainedSet
  private readonly states: RetainedSet
  /** Whose each retained state is: `<agent>/<device>` or `zone:<zone>`, to clear it with its owner. */
  private readonly owners = new Map<string, string>()
  private readonly applied = new AppliedEvents()
  private unsubscribes: Array<() => Promise<void>> = []
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private again?: Promise<void>
  private forceNext = false
  private zoneChain: Promise<void> = Promise.resolve()
  private stopped = true

  constructor(private readonly o: HomeAssistantBridgeOptions) {
    this.log = o.log.child({ module: 'homeassistant' })
    this.topics = haTopics(o.prefix)
    this.ctx = { topics: this.topics, version: o.version }
    this.configs = new RetainedSet(o.bus, this.log)
    this.states = new RetainedSet(o.bus, this.log)
  }

  async start(): Promise<void> {
    this.stopped = false
    await this.o.bus.publish(this.topics.bridgeStatus(), 'online', { qos: 1, retain: true })
    const on = async (filter: string, fn: (topic: string, payload: Buffer) => void) =>
      this.unsubscribes.push(await this.o.bus.subscribe(filter, fn))
    await on(this.topics.birth(), (_t, payload) => this.onHaStatus(payload.toString()))
    await on(filters.allEvents('scan'), (t, p) => this.applied.event(t, p))
    await on(filters.allEvents('press'), (t, p) => this.applied.event(t, p))
    await on(filters.allDeviceCmds(), (t, p) => {
      for (const u of this.applied.command(t, p)) void this.apply(u)
    })
    this.o.fleetEvents?.on('change', this.onFleetChange)
    this.o.presenceEvents?.on('presence', this.onPresence)
    await this.sync()
    this.timer = setInterval(() => void this.sync(), this.o.syncMs ?? 30_000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    this.o.fleetEvents?.off('change', this.onFleetChange)
    this.o.presenceEvents?.off('presence', this.onPresence)
    await Promise.all(this.unsubscribes.splice(0).map((u) => u()))
    await Promise.all([this.running, this.again, this.zoneChain])
    // A clean stop says so itself; the broker stops right after, and HA sees every entity unavailable.
    await this.o.bus
      .publish(this.topics.bridgeStatus(), 'offline', { qos: 1, retain: true })
      .catch((err: unknown) => this.log.warn({ err }, 'bridge offline status not published'))
  }

  /**
   * Publishes every config and state that changed and clears those of removed agents, devices and
   * zones (`force`: every config again). Calls during a run fold into one next run. Never throws.
   */
  sync(force = false): Promise<void> {
    if (force) this.forceNext = true
    if (this.running === undefined) {
      const f = this.forceNext
      this.forceNext = false
      this.running = this.run(f).finally(() => {
        this.running = undefined
      })
      return this.running
    }
    this.again ??= this.running.then(() => {
      this.again = undefined
      return this.sync()
    })
    return this.again
  }

  private readonly onFleetChange = () => void this.sync()
  private readonly onPresence = (e: PresenceEffect) => void this.refreshZone(e.zone)

  private onHaStatus(payload: string): void {
    // HA's will says offline; only its birth asks for the configs again.
    if (payload !== 'online' || this.stopped) return
    this.log.info({ prefix: this.o.prefix }, 'Home Assistant came online; discovery published again')
    void this.sync(true)
  }

  private async run(force: boolean): Promise<void> {
    if (this.stopped) return
    try {
      const agents = await agentInventory(this.o.db, this.o.snapshot ?? (() => undefined))
      const zones = await zoneInventory(this.o.db)
      const desired = new Map<string, string>()
      for (const a of agents)
        for (const d of agentDiscovery(this.ctx, a)) desired.set(d.topic, JSON.stringify(d.config))
      for (const z of zones)
        for (const d of zoneDiscovery(this.ctx, z)) desired.set(d.topic, JSON.stringify(d.config))
      for (const [topic, payload] of desired) await this.configs.put(topic, payload, force)
      for (const topic of this.configs.topics()) if (!desired.has(topic)) await this.configs.clear(topic)

      // States of what is gone; a device is gone only when a birth heard since start no longer names it.
      const live = new Map(agents.map((a) => [a.id, a]))
      const zoneIds = new Set(zones.map((z) => z.id))
      for (const [topic, owner] of [...this.owners]) {
        const [agent, device] = owner.split('/') as [string, string | undefined]
        const a = live.get(agent)
        const gone = owner.startsWith('zone:')
          ? !zoneIds.has(owner.slice(5))
          : a === undefined || (a.devicesKnown && !a.devices.some((d) => d.id === device))
        if (!gone) continue
        await this.states.clear(topic)
        this.owners.delete(topic)
      }
      // A button's pickup before any press or notice since start, from the database.
      for (const a of agents)
        for (const d of a.devices.filter((x) => x.kind === 'button')) {
          const topic = this.topics.deviceState(a.id, d.id, 'pickup')
          if (this.states.has(topic)) continue
          const p = pickupState(await latestPickup(this.o.db, a.id, d.id, (this.o.now ?? Date.now)()))
          await this.putState(topic, `${a.id}/${d.id}`, p)
        }
      for (const z of zones) await this.refreshZone(z.id)
      this.log.debug({ agents: agents.length, zones: zones.length, configs: desired.size, force }, 'synced')
    } catch (err) {
      this.log.error({ err }, 'Home Assistant sync failed; retried at the next change or sync')
    }
  }

  /** One zone's count; one at a time, so counts are published in the order they were read. */
  private refreshZone(zone: string): Promise<void> {
    this.zoneChain = this.zoneChain.then(async () => {
      try {
        const state = zonePresenceState(await zoneCount(this.o.db, zone))
        await this.putState(this.topics.zonePresence(zone), `zone:${zone}`, state)
      } catch (err) {
        this.log.error({ err, zone }, 'zone presence not published; retried at the next sync')
      }
    })
    return this.zoneChain
  }

  private async apply(u: AppliedUpdate): Promise<void> {
    if (this.stopped) return
    const owner = `${u.agent}/${u.device}`
    if (u.kind === 'scan')
      return this.putState(this.topics.deviceState(u.agent, u.device, 'last_scan'), owner, u.state)
    if (u.kind === 'pickup')
      return this.putState(this.topics.deviceState(u.agent, u.device, 'pickup'), owner, u.state)
    // A trigger, not a state: retained, it would fire again each time HA subscribes.
    try {
      await this.o.bus.publish(this.topics.press(u.agent, u.device), u.press, { qos: 1, retain: false })
      this.log.debug({ agent: u.agent, device: u.device, press: u.press }, 'press trigger published')
    } catch (err) {
      this.log.warn({ err, agent: u.agent, device: u.device }, 'press trigger not published')
    }
  }

  private async putState(topic: string, owner: string, state: object): Promise<void> {
    this.owners.set(topic, owner)
    await this.states.put(topic, JSON.stringify(state))
  }
}
