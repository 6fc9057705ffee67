// The agent's composition root: the boot order written out, stopped in reverse.
//   outbox -> feedback -> MQTT link (connects in the background) -> sender -> scanners -> buttons
//   -> beacon readers -> health -> inbox
import { type Feature, startFeatures, stopFeatures } from '@relais/hardware'
import type { AgentConfig, BeaconReaderDeviceConfig, ButtonConfig, ScannerConfig } from './config/schema.js'
import { createAdvertisementSource } from './drivers/beacon/index.js'
import type { AdvertisementSource } from './drivers/beacon/types.js'
import { createButtonInput } from './drivers/button/index.js'
import type { ButtonInput } from './drivers/button/types.js'
import { createScanSource } from './drivers/scanner/index.js'
import type { ScanSource } from './drivers/scanner/types.js'
import { BeaconReaderFeature } from './features/beacon/reader.js'
import { ButtonFeature } from './features/button.js'
import { HealthFeature } from './features/health.js'
import { InboxFeature } from './features/inbox.js'
import { PickupStore } from './features/pickup-store.js'
import { ScannerFeature } from './features/scanner.js'
import { createFeedback } from './feedback/index.js'
import type { Feedback } from './feedback/types.js'
import { createLogger, type Logger } from './lib/logger.js'
import { buildInfo } from './link/birth.js'
import { MqttLink } from './link/mqtt-link.js'
import { Session } from './link/session.js'
import { Outbox } from './outbox/outbox.js'
import { OutboxSender } from './outbox/sender.js'

export interface AgentDeps {
  /** Drivers by scanner config; tests and simulators pass simulated ones. */
  scanSource?: (config: ScannerConfig, log: Logger) => ScanSource
  /** Drivers by button config; tests and simulators pass simulated ones or a mock-firmata board. */
  buttonInput?: (config: ButtonConfig, log: Logger) => ButtonInput
  /** Advertisement sources by beacon reader config; tests and simulators pass simulated ones. */
  advertisementSource?: (config: BeaconReaderDeviceConfig, log: Logger) => AdvertisementSource
  feedback?: Feedback
}

export class Agent {
  readonly log: Logger
  readonly session = new Session()
  outbox!: Outbox
  link!: MqttLink
  sender!: OutboxSender
  feedback!: Feedback
  health!: HealthFeature
  inbox!: InboxFeature
  readonly scanners: ScannerFeature[] = []
  readonly buttons: ButtonFeature[] = []
  readonly beacons: BeaconReaderFeature[] = []
  /** The latest request per button, beside the outbox (open while buttons are configured). */
  pickups?: PickupStore
  private started: Feature[] = []

  constructor(
    readonly config: AgentConfig,
    log?: Logger,
    private readonly deps: AgentDeps = {},
  ) {
    this.log = log ?? createLogger(config.log.level)
  }

  async start(): Promise<void> {
    const { config, log, session } = this
    const agent = config.agent.id
    const features: Array<{ feature: Feature; critical: boolean }> = []
    features.push({
      critical: true,
      feature: {
        name: 'outbox',
        start: () => {
          this.outbox = new Outbox({ dataDir: config.dataDir, maxEntries: config.outbox.maxEntries })
          log.info({ depth: this.outbox.depth, dropped: this.outbox.dropped }, 'outbox opened')
        },
        stop: () => this.outbox.close(),
      },
    })
    this.feedback = this.deps.feedback ?? createFeedback(config.feedback, log)
    // Feedback hardware missing must not stop scans from reaching the list: not critical.
    features.push({ critical: false, feature: this.feedback })
    this.link = new MqttLink({
      url: config.broker.url,
      agent,
      username: config.broker.username,
      secret: config.broker.secret,
      caFile: config.broker.caFile,
      keepaliveS: config.broker.keepaliveS,
      log,
      session,
      birth: () => [
        buildInfo(config, session),
        ...this.scanners.map((s) => s.statusMessage()),
        ...this.buttons.map((b) => b.statusMessage()),
        ...this.beacons.map((r) => r.statusMessage()),
      ],
    })
    features.push({
      critical: true,
      feature: { name: 'link', start: () => this.link.start(), stop: () => this.link.stop() },
    })
    features.push({
      critical: true,
      feature: {
        name: 'sender',
        start: () => {
          this.sender = new OutboxSender({
            outbox: this.outbox,
            link: this.link,
            log,
            ackTimeoutMs: config.outbox.ackTimeoutMs,
            inflight: config.outbox.inflight,
          })
          this.sender.start()
        },
        stop: () => this.sender.stop(),
      },
    })
    for (const sc of config.scanners) {
      features.push({
        critical: false,
        feature: {
          name: `scanner:${sc.id}`,
          start: async () => {
            const source = (this.deps.scanSource ?? createScanSource)(sc, log)
            const f = new ScannerFeature({
              agent,
              source,
              outbox: this.outbox,
              sender: this.sender,
              link: this.link,
              feedback: this.feedback,
              session,
              log,
              prefix: sc.prefix,
              suffix: sc.suffix,
              debounceMs: sc.debounceMs,
              modes: sc.modes,
            })
            this.scanners.push(f)
            await f.start()
          },
          stop: async () => {
            const f = this.scanners.find((s) => s.device === sc.id)
            await f?.stop()
          },
        },
      })
    }
    if (config.buttons.length > 0) {
      // The store first: a button must find what it showed before a restart when it starts.
      features.push({
        critical: false,
        feature: {
          name: 'pickup-store',
          start: () => {
            this.pickups = new PickupStore(config.dataDir)
          },
          stop: () => this.pickups?.close(),
        },
      })
    }
    for (const bc of config.buttons) {
      features.push({
        critical: false,
        feature: {
          name: `button:${bc.id}`,
          start: async () => {
            if (this.pickups === undefined) throw new Error('no pickup store')
            const f = new ButtonFeature({
              agent,
              input: (this.deps.buttonInput ?? createButtonInput)(bc, log),
              outbox: this.outbox,
              sender: this.sender,
              link: this.link,
              store: this.pickups,
              session,
              log,
              doubleGapMs: bc.doubleGapMs,
              longMs: bc.longMs,
              display: { afterWindowMs: bc.afterWindowMin * 60_000, closedShowMs: bc.closedShowMin * 60_000 },
            })
            this.buttons.push(f)
            await f.start()
          },
          stop: async () => {
            const i = this.buttons.findIndex((b) => b.device === bc.id)
            await this.buttons[i]?.stop()
            if (i >= 0) this.buttons.splice(i, 1)
          },
        },
      })
    }
    for (const rc of config.beacons) {
      features.push({
        critical: false,
        feature: {
          name: `beacon:${rc.id}`,
          start: async () => {
            const f = new BeaconReaderFeature({
              agent,
              // The feature and its source each log through a child with the reader's ids as fields.
              source: (this.deps.advertisementSource ?? createAdvertisementSource)(rc, log),
              outbox: this.outbox,
              sender: this.sender,
              link: this.link,
              session,
              log,
              dataDir: config.dataDir,
              telemetryS: rc.telemetryS,
              tracker: {
                enterRssi: rc.enterRssi,
                leaveRssi: rc.leaveRssi,
                leaveTimeoutMs: rc.leaveTimeoutS * 1000,
                minEnterSamples: rc.minEnterSamples,
                minEnterMs: rc.minEnterMs,
                minLeaveSamples: rc.minLeaveSamples,
                kalman: rc.kalman,
                calibration: rc.calibration,
              },
            })
            this.beacons.push(f)
            await f.start()
          },
          stop: async () => {
            const i = this.beacons.findIndex((r) => r.device === rc.id)
            await this.beacons[i]?.stop()
            if (i >= 0) this.beacons.splice(i, 1)
          },
        },
      })
    }
    features.push({
      critical: false,
      feature: {
        name: 'health',
        start: () => {
          this.health = new HealthFeature({
            agent,
            intervalS: config.health.intervalS,
            link: this.link,
            outbox: this.outbox,
            sender: this.sender,
            session,
            log,
          })
          this.health.start()
        },
        stop: () => this.health.stop(),
      },
    })
    this.inbox = new InboxFeature({
      link: this.link,
      feedback: this.feedback,
      scanners: () => this.scanners,
      buttons: () => this.buttons,
      beacons: () => this.beacons,
      health: () => this.health,
      log,
    })
    features.push({ critical: false, feature: this.inbox })
    this.started = await startFeatures(features, log)
    log.info(
      {
        agent,
        scanners: config.scanners.length,
        buttons: config.buttons.length,
        beacons: config.beacons.length,
        outbox: this.outbox.depth,
      },
      'relais agent started',
    )
  }

  /**
   * Stops in reverse order. With `drainMs`, first gives the outbox that long to be acked (SIGTERM:
   * systemd waits), though whatever is left stays on disk for the next start either way.
   */
  async stop(o: { drainMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (o.drainMs ?? 0)
    while (Date.now() < deadline && this.outbox?.depth > 0 && this.link?.connected) {
      await new Promise((r) => setTimeout(r, 50))
    }
    await stopFeatures(this.started, this.log)
    this.started = []
  }
}
