// The fridge scanner feature: a code read -> normalised and validated -> mode codes handled -> debounced
// -> one `scan` event written to the outbox (fsynced) -> the person told "received" (or "queued" when
// offline) -> the cloud's ack shown as added, incremented, unknown, duplicate, rejected...
import { type Ack, makeEnvelope, parseBarcode, type ScanMode, topics } from '@relais/hardware'
import type { ScanRead, ScanSource } from '../drivers/scanner/types.js'
import type { Feedback, FeedbackSignal } from '../feedback/types.js'
import type { Logger } from '../lib/logger.js'
import type { MqttLink } from '../link/mqtt-link.js'
import type { Session } from '../link/session.js'
import type { Outbox } from '../outbox/outbox.js'
import type { AckedEvent, OutboxSender } from '../outbox/sender.js'
import { type DeviceStatusMessage, deviceStatusMessage } from './device-status.js'

export interface ScannerFeatureOptions {
  agent: string
  source: ScanSource
  outbox: Outbox
  sender: OutboxSender
  link: MqttLink
  feedback: Feedback
  session: Session
  log: Logger
  prefix: string
  suffix: string
  debounceMs: number
  modes: { remove: string; add: string; undo: string; removeTimeoutS: number }
  now?: () => number
}

/** The feedback for each outcome the cloud can answer with. */
const OUTCOME_SIGNAL: Record<string, FeedbackSignal> = {
  added: 'added',
  incremented: 'incremented',
  unknown_product: 'unknown_product',
  duplicate: 'duplicate',
  rejected: 'rejected',
  removed: 'removed',
  undone: 'undone',
  not_on_list: 'not_on_list',
  nothing_to_undo: 'not_on_list',
}

export class ScannerFeature {
  readonly name: string
  private mode: ScanMode = 'add'
  private modeTimer?: NodeJS.Timeout
  private last?: { code: string; at: number }
  private readonly log: Logger
  private readonly now: () => number
  private readonly onScan = (r: ScanRead) => this.handle(r)
  private readonly onStatus = () => void this.publishStatus()
  private readonly onAcked = (a: AckedEvent) => this.showAck(a)
  private readonly onConnected = () => void this.publishStatus()
  /** Counts for health: accepted, debounced, invalid. */
  readonly stats = { accepted: 0, debounced: 0, invalid: 0 }

  constructor(private readonly o: ScannerFeatureOptions) {
    this.name = `scanner:${o.source.id}`
    this.log = o.log.child({ module: 'scanner', device: o.source.id })
    this.now = o.now ?? Date.now
  }

  get device(): string {
    return this.o.source.id
  }

  get currentMode(): ScanMode {
    return this.mode
  }

  async start(): Promise<void> {
    this.o.source.on('scan', this.onScan)
    this.o.source.on('status', this.onStatus)
    this.o.sender.on('acked', this.onAcked)
    this.o.link.on('connected', this.onConnected)
    await this.o.source.start()
  }

  async stop(): Promise<void> {
    clearTimeout(this.modeTimer)
    this.o.source.off('scan', this.onScan)
    this.o.source.off('status', this.onStatus)
    this.o.sender.off('acked', this.onAcked)
    this.o.link.off('connected', this.onConnected)
    await this.o.source.stop()
  }

  /** The retained device status message, for the birth sequence. */
  statusMessage(): DeviceStatusMessage {
    const { agent, session } = this.o
    return deviceStatusMessage({
      agent,
      session,
      device: this.device,
      kind: 'scanner',
      status: this.o.source.status,
    })
  }

  private async publishStatus(): Promise<void> {
    const m = this.statusMessage()
    await this.o.link.publish(m.topic, m.payload, { qos: 1, retain: true })
  }

  /** Applies the settings a config push may change at run time; returns the names applied. */
  reconfigure(c: {
    debounceMs?: number
    prefix?: string
    suffix?: string
    modes?: Partial<Record<'add' | 'remove' | 'undo', string>>
  }): string[] {
    const applied: string[] = []
    if (typeof c.debounceMs === 'number' && c.debounceMs >= 0) {
      this.o.debounceMs = c.debounceMs
      applied.push('debounceMs')
    }
    if (typeof c.prefix === 'string') {
      this.o.prefix = c.prefix
      applied.push('prefix')
    }
    if (typeof c.suffix === 'string') {
      this.o.suffix = c.suffix
      applied.push('suffix')
    }
    for (const k of ['add', 'remove', 'undo'] as const) {
      const code = c.modes?.[k]
      if (typeof code === 'string' && code.length > 0) {
        this.o.modes = { ...this.o.modes, [k]: code }
        applied.push(`modes.${k}`)
      }
    }
    return applied
  }

  /** Handles one read; public so simulators and tests can scan without a driver. */
  handle(read: ScanRead): void {
    let code = read.code
    if (this.o.prefix && code.startsWith(this.o.prefix)) code = code.slice(this.o.prefix.length)
    if (this.o.suffix && code.endsWith(this.o.suffix)) code = code.slice(0, -this.o.suffix.length)
    const { modes } = this.o
    if (code === modes.remove || code === modes.add) {
      this.setMode(code === modes.remove ? 'remove' : 'add')
      return
    }
    let mode: ScanMode = this.mode
    if (code === modes.undo) {
      mode = 'undo'
    } else {
      const b = parseBarcode(code)
      if (b.key === null) {
        this.stats.invalid++
        this.log.info({ code, reason: b.error }, 'code refused on the device')
        this.o.feedback.show('rejected', { device: this.device, code, detail: b.error })
        return
      }
      const at = read.at
      if (this.last?.code === code && at - this.last.at < this.o.debounceMs) {
        // One physical scan read twice (continuous-mode scanners); the cloud debounces too, by source time.
        this.stats.debounced++
        return
      }
      this.last = { code, at }
    }
    this.emitScan(code, mode, read)
  }

  private emitScan(code: string, mode: ScanMode, read: ScanRead): void {
    const { agent, session } = this.o
    const data: { code: string; mode?: ScanMode; symbology?: string } = { code }
    if (mode !== 'add') data.mode = mode
    if (read.symbology) data.symbology = read.symbology
    const env = makeEnvelope({
      agent,
      device: this.device,
      type: 'scan',
      session: session.id,
      seq: session.next(),
      ts: read.at,
      data,
    })
    try {
      const r = this.o.outbox.add(
        env.id,
        topics.event(agent, this.device, 'scan'),
        JSON.stringify(env),
        this.now(),
      )
      if (r.dropped > 0) this.log.warn({ dropped: r.dropped }, 'outbox full: oldest events dropped')
    } catch (err) {
      // Not stored means not promised: tell the person, so they scan again.
      this.log.error({ err, code }, 'could not store the scan')
      this.o.feedback.show('error', { device: this.device, code, detail: 'not stored' })
      return
    }
    this.stats.accepted++
    this.log.info({ msgId: env.id, code, mode }, 'scan stored')
    this.o.feedback.show(this.o.link.connected ? 'received' : 'queued_offline', { device: this.device, code })
    this.o.sender.pump()
  }

  private setMode(mode: 'add' | 'remove'): void {
    clearTimeout(this.modeTimer)
    this.mode = mode
    this.log.info({ mode }, 'scan mode changed')
    this.o.feedback.show(mode === 'remove' ? 'mode_remove' : 'mode_add', { device: this.device })
    if (mode === 'remove') {
      this.modeTimer = setTimeout(() => this.setMode('add'), this.o.modes.removeTimeoutS * 1000)
      this.modeTimer.unref()
    }
  }

  private showAck(a: AckedEvent): void {
    if (a.device !== this.device) return
    const ack: Ack = a.ack
    const signal = OUTCOME_SIGNAL[ack.outcome] ?? 'error'
    this.log.info(
      { msgId: a.id, outcome: ack.outcome, reason: ack.reason, replayed: ack.replayed },
      'scan acknowledged',
    )
    this.o.feedback.show(signal, {
      device: this.device,
      code: ack.item?.code,
      detail: ack.item?.name ?? ack.reason,
    })
  }
}
