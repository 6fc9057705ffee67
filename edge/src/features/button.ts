// The pickup button feature: down/up edges -> classified presses (single/double/long) -> one `press`
// event each, written to the outbox (fsynced) exactly like a scan -> the light says "stored" (or "queued"
// when offline) -> the cloud's ack, and any later `cmd/pickup`, update the request kept on disk, which the
// light then shows for as long as the clock says (pickup-display.ts), across restarts.
import { type AckPickup, makeEnvelope, type PickupCmd, type PressEvent, topics } from '@relais/hardware'
import type { ButtonInput } from '../drivers/button/types.js'
import { BUTTON_PATTERNS, type ButtonSignal } from '../feedback/button-patterns.js'
import { LightPlayer } from '../feedback/light-player.js'
import type { Logger } from '../lib/logger.js'
import type { MqttLink } from '../link/mqtt-link.js'
import type { Session } from '../link/session.js'
import type { Outbox } from '../outbox/outbox.js'
import type { AckedEvent, OutboxSender } from '../outbox/sender.js'
import { type DeviceStatusMessage, deviceStatusMessage } from './device-status.js'
import { type DisplayOptions, displayFor, isNewer } from './pickup-display.js'
import type { PickupStore } from './pickup-store.js'
import { PressClassifier } from './press-classifier.js'

export interface ButtonFeatureOptions {
  agent: string
  input: ButtonInput
  outbox: Outbox
  sender: OutboxSender
  link: MqttLink
  store: PickupStore
  session: Session
  log: Logger
  doubleGapMs: number
  longMs: number
  display: DisplayOptions
  now?: () => number
}

/** Re-check the clock at least this often: setTimeout cannot wait weeks, and the clock may be set. */
const MAX_WAIT_MS = 60 * 60_000

export class ButtonFeature {
  readonly name: string
  private readonly log: Logger
  private readonly now: () => number
  private readonly classifier: PressClassifier
  private readonly player: LightPlayer
  private pollTimer?: NodeJS.Timeout
  private displayTimer?: NodeJS.Timeout
  private shown: ButtonSignal | undefined
  private readonly onDown = (at: number) => this.presses(this.classifier.down(at))
  private readonly onUp = (at: number) => this.presses(this.classifier.up(at))
  private readonly onStatus = () => void this.publishStatus()
  private readonly onAcked = (a: AckedEvent) => this.showAck(a)
  /** Counts for health and tests. */
  readonly stats = { presses: 0, acks: 0, stale: 0 }

  constructor(private readonly o: ButtonFeatureOptions) {
    this.name = `button:${o.input.id}`
    this.log = o.log.child({ module: 'button', device: o.input.id })
    this.now = o.now ?? Date.now
    this.classifier = new PressClassifier({ doubleGapMs: o.doubleGapMs, longMs: o.longMs })
    this.player = new LightPlayer(o.input, (err) => this.log.warn({ err }, 'button light failed'))
  }

  get device(): string {
    return this.o.input.id
  }

  get input(): ButtonInput {
    return this.o.input
  }

  /** The display signal the light shows now (undefined: off), transient signals aside. */
  get display(): ButtonSignal | undefined {
    return this.shown
  }

  /** The request the button knows of, as stored. */
  get pickup(): AckPickup | undefined {
    return this.o.store.get(this.device)
  }

  async start(): Promise<void> {
    const { input, sender, link } = this.o
    input.on('down', this.onDown)
    input.on('up', this.onUp)
    input.on('status', this.onStatus)
    sender.on('acked', this.onAcked)
    link.on('connected', this.onStatus)
    await input.start()
    // What the button showed before a restart, shown again at once from disk.
    this.render(false)
  }

  async stop(): Promise<void> {
    const { input, sender, link } = this.o
    clearTimeout(this.pollTimer)
    clearTimeout(this.displayTimer)
    input.off('down', this.onDown)
    input.off('up', this.onUp)
    input.off('status', this.onStatus)
    sender.off('acked', this.onAcked)
    link.off('connected', this.onStatus)
    this.player.stop()
    await input.stop()
  }

  /** The retained device status message, for the birth sequence. */
  statusMessage(): DeviceStatusMessage {
    const { agent, session } = this.o
    return deviceStatusMessage({
      agent,
      session,
      device: this.device,
      kind: 'button',
      status: this.o.input.status,
    })
  }

  /** `cmd/pickup`: the request changed outside a press, or the cloud's word after a birth. */
  applyCmd(cmd: PickupCmd, msgId?: string): void {
    if (cmd.pickup === undefined) {
      this.log.info({ msgId }, 'no request to show: display cleared')
      this.o.store.clear(this.device)
      this.render(false)
      return
    }
    this.applyPickup(cmd.pickup, msgId)
  }

  private applyPickup(p: AckPickup, msgId?: string): void {
    const stored = this.o.store.get(this.device)
    if (!isNewer(p, stored)) {
      this.stats.stale++
      this.log.info(
        { msgId, requestId: p.id, since: p.since, storedSince: stored?.since },
        'older news ignored',
      )
      return
    }
    this.o.store.put(this.device, p, this.now())
    const changed = stored?.id !== p.id || stored.state !== p.state
    this.log.info({ msgId, requestId: p.id, state: p.state, window: p.window }, 'pickup request updated')
    this.render(changed)
  }

  private presses(list: PressEvent[]): void {
    for (const p of list) this.emitPress(p)
    clearTimeout(this.pollTimer)
    const due = this.classifier.nextDeadline()
    if (due === undefined) return
    // +1: poll() wants the gap strictly over.
    this.pollTimer = setTimeout(
      () => this.presses(this.classifier.poll(this.now())),
      Math.max(0, due - this.now()) + 1,
    )
  }

  private emitPress(data: PressEvent): void {
    const { agent, session } = this.o
    const env = makeEnvelope({
      agent,
      device: this.device,
      type: 'press',
      session: session.id,
      seq: session.next(),
      data,
    })
    try {
      const r = this.o.outbox.add(
        env.id,
        topics.event(agent, this.device, 'press'),
        JSON.stringify(env),
        this.now(),
      )
      if (r.dropped > 0) this.log.warn({ dropped: r.dropped }, 'outbox full: oldest events dropped')
    } catch (err) {
      // Not stored means not promised: say so, so the person presses again.
      this.log.error({ err, press: data.press }, 'could not store the press')
      this.player.flash(BUTTON_PATTERNS.rejected)
      return
    }
    this.stats.presses++
    this.log.info({ msgId: env.id, press: data.press, heldMs: data.heldMs }, 'press stored')
    this.player.flash(this.o.link.connected ? BUTTON_PATTERNS.press : BUTTON_PATTERNS.queued)
    this.o.sender.pump()
  }

  private showAck(a: AckedEvent): void {
    if (a.device !== this.device) return
    this.stats.acks++
    const { outcome, reason, pickup } = a.ack
    this.log.info(
      { msgId: a.id, outcome, reason, requestId: pickup?.id, state: pickup?.state },
      'press acknowledged',
    )
    if (pickup !== undefined) {
      this.applyPickup(pickup, a.id)
      return
    }
    this.player.flash(outcome === 'no_open_pickup' ? BUTTON_PATTERNS.no_pickup : BUTTON_PATTERNS.rejected)
  }

  /** Shows what the stored request says now, and comes back when that changes by the clock. */
  private render(beep: boolean): void {
    clearTimeout(this.displayTimer)
    const now = this.now()
    const d = displayFor(this.o.store.get(this.device), now, this.o.display)
    if (d.signal !== this.shown || beep) {
      this.log.info({ display: d.signal ?? 'off', until: d.until }, 'button display')
      this.shown = d.signal
      this.player.setDisplay(d.signal && BUTTON_PATTERNS[d.signal], beep)
    }
    if (d.until === undefined) return
    this.displayTimer = setTimeout(
      () => this.render(false),
      Math.min(Math.max(0, d.until - now) + 1, MAX_WAIT_MS),
    )
    this.displayTimer.unref()
  }

  private async publishStatus(): Promise<void> {
    const m = this.statusMessage()
    await this.o.link.publish(m.topic, m.payload, { qos: 1, retain: true })
  }
}
