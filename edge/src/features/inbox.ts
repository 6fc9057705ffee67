// The agent's inbox: its retained `config` and the `cmd/*` topics the cloud publishes to it (DESIGN.md,
// contract table). rebirth re-publishes the birth; identify shows the identify pattern; pickup goes to its
// button; a config push is
// applied without a restart where the setting allows it, and what needs a restart is said in the log.
import { type BeaconsConfig, decodeMessage, type Envelope, type PickupCmd } from '@relais/hardware'
import type { Feedback } from '../feedback/types.js'
import type { Logger } from '../lib/logger.js'
import type { MqttLink } from '../link/mqtt-link.js'
import type { BeaconReaderFeature } from './beacon/reader.js'
import type { ButtonFeature } from './button.js'
import type { HealthFeature } from './health.js'
import type { ScannerFeature } from './scanner.js'

/** What a config push may change at run time. Anything else is logged as needing a restart. */
export interface RuntimeConfig {
  revision: number
  health?: { intervalS?: number }
  /** Beacon readers' allow-lists (hardware/src/kinds/beacon.ts), validated by the contract's schema. */
  beacons?: BeaconsConfig
  scanners?: Record<
    string,
    {
      debounceMs?: number
      prefix?: string
      suffix?: string
      modes?: Partial<Record<'add' | 'remove' | 'undo', string>>
    }
  >
}

export class InboxFeature {
  readonly name = 'inbox'
  /** The revision of the last config applied, reported in health. */
  revision: number | null = null
  private readonly log: Logger
  private readonly onMessage = (topic: string, payload: Buffer) => this.receive(topic, payload)

  constructor(
    private readonly o: {
      link: MqttLink
      feedback: Feedback
      scanners: () => ScannerFeature[]
      buttons?: () => ButtonFeature[]
      beacons?: () => BeaconReaderFeature[]
      health: () => HealthFeature | undefined
      log: Logger
    },
  ) {
    this.log = o.log.child({ module: 'inbox' })
  }

  start(): void {
    this.o.link.on('message', this.onMessage)
  }

  stop(): void {
    this.o.link.off('message', this.onMessage)
  }

  receive(topic: string, payload: Buffer): void {
    const d = decodeMessage(topic, payload)
    if (!d.ok) {
      if (d.topic?.kind === 'config' || (d.topic?.kind === 'cmd' && d.topic.name !== 'ack')) {
        this.log.warn({ topic, code: d.code, reason: d.reason }, 'inbox message rejected')
      }
      return
    }
    if (d.topic.kind === 'config') {
      this.applyConfig(d.message as Envelope<RuntimeConfig>)
      return
    }
    if (d.topic.kind !== 'cmd') return
    if (d.topic.name === 'rebirth') {
      this.log.info({ msgId: d.message.id }, 'rebirth requested')
      void this.o.link
        .publishBirth()
        .catch((err: Error) => this.log.warn({ err: err.message }, 'rebirth failed'))
    } else if (d.topic.name === 'pickup') {
      // The button's request changed outside a press, or the cloud's word after a birth (the contract,
      // hardware/src/kinds/button.ts).
      const device = d.topic.device
      const button = this.o.buttons?.().find((b) => b.device === device)
      if (button === undefined)
        this.log.warn({ msgId: d.message.id, device }, 'cmd/pickup for no such button')
      else button.applyCmd(d.message.data as PickupCmd, d.message.id)
    } else if (d.topic.name === 'identify') {
      this.log.info({ msgId: d.message.id, device: d.topic.device }, 'identify requested')
      this.o.feedback.show('identify', { device: d.topic.device })
    }
  }

  private applyConfig(m: Envelope<RuntimeConfig>): void {
    const c = m.data
    if (this.revision !== null && c.revision <= this.revision) return
    const applied: string[] = []
    const restart: string[] = []
    for (const [key, value] of Object.entries(c)) {
      if (key === 'revision') continue
      if (key === 'health' && typeof value?.intervalS === 'number') {
        this.o.health()?.setInterval(value.intervalS)
        applied.push('health.intervalS')
      } else if (key === 'scanners' && typeof value === 'object' && value !== null) {
        for (const [id, s] of Object.entries(value as NonNullable<RuntimeConfig['scanners']>)) {
          const f = this.o.scanners().find((x) => x.device === id)
          if (f === undefined) restart.push(`scanners.${id} (no such scanner)`)
          else applied.push(...f.reconfigure(s).map((k) => `scanners.${id}.${k}`))
        }
      } else if (key === 'beacons' && typeof value === 'object' && value !== null) {
        for (const [id, section] of Object.entries(value as BeaconsConfig)) {
          const f = this.o.beacons?.().find((x) => x.device === id)
          if (f === undefined) restart.push(`beacons.${id} (no such reader)`)
          else applied.push(...f.applyConfig(section, c.revision).map((k) => `beacons.${id}.${k}`))
        }
      } else restart.push(key)
    }
    // The allow-list is complete each time (contract): a reader the config says nothing of may report
    // nobody, so its list is emptied rather than left as it was.
    for (const f of this.o.beacons?.() ?? []) {
      if (c.beacons?.[f.device] === undefined)
        applied.push(...f.applyConfig(undefined, c.revision).map((k) => `beacons.${f.device}.${k}`))
    }
    this.revision = c.revision
    this.log.info({ revision: c.revision, applied, needsRestart: restart }, 'config applied')
  }
}
