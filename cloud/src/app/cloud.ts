// The cloud's composition root: the boot order written out top to bottom, stopped in reverse.
//   storage -> time series -> broker -> fleet -> ingest -> HTTP
// Storage, broker, ingest and HTTP are critical: the boot fails without them. The time series is not:
// InfluxDB being down must never keep lists from working (DESIGN.md, delivery rule 5). Nor is the
// fleet's agent state: without it the pages show scanners offline, and lists still work. It starts
// right after the broker, so it hears the birth of every agent that connects. The round service (courier
// rounds of pickup requests) is not critical either: presses are still recorded and acked without it,
// and its first tick plans what arrived meanwhile. Nor are presence's allow-list publisher and retention:
// readers keep the last allow-list they were given, and enter/leave events still pass the consent gate.
// Nor is the Home Assistant bridge (RELAIS_HA_DISCOVERY=on): HA only reads what it publishes.
// With RELAIS_BROKER_URL the broker is someone else's (Mosquitto, EMQX): the cloud connects to it as a
// client (broker/external-bus.ts) and every feature talks through `bus`; what needs Aedes itself
// (credential watch, link log, session metrics, connection events) is left out.
// With several processes on one database (RELAIS_REDIS_URL or RELAIS_BROKER_URL), the jobs that must run
// once (retention, Home Assistant, webhooks, alert evaluation) run in the leader only (leadership.ts).

import { hostname } from 'node:os'
import { type Feature, startFeatures, stopFeatures } from '@relais/hardware'
import type { FastifyInstance } from 'fastify'
import { AccountAuthenticator } from '../broker/account-auth.js'
import { AgentAuthenticator } from '../broker/agent-auth.js'
import { Broker } from '../broker/broker.js'
import { CredentialWatch } from '../broker/credential-watch.js'
import { EventRelay } from '../broker/event-relay.js'
import { ExternalBus } from '../broker/external-bus.js'
import { ProductLookup } from '../catalogue/lookup.js'
import { defaultBrokerUrl } from '../domains/agents/agent-config.js'
import { AgentState } from '../domains/fleet/agent-state.js'
import { FleetEvents } from '../domains/fleet/fleet-events.js'
import { LinkLog } from '../domains/fleet/link-log.js'
import { CatalogueResolver } from '../domains/lists/catalogue-resolver.js'
import { ListEvents } from '../domains/lists/list-events.js'
import { pruneChanges } from '../domains/lists/scan-batch.js'
import { scanEffect } from '../domains/lists/scan-handler.js'
import { PickupEvents } from '../domains/pickups/pickup-events.js'
import type { PressEffect } from '../domains/pickups/press-handler.js'
import { RoundService } from '../domains/pickups/round-service.js'
import { WebhookDispatcher } from '../domains/pickups/webhooks/dispatcher.js'
import { ConfigPublisher } from '../domains/presence/config-publisher.js'
import { PresenceEvents, presenceEffect } from '../domains/presence/presence-events.js'
import { PresenceRetention } from '../domains/presence/retention.js'
import { buildApp } from '../http/app.js'
import { listenHttp } from '../http/server.js'
import { InlineApplier } from '../ingest/appliers.js'
import type { MessageBus } from '../ingest/bus.js'
import { type BatchApplier, EventIngest } from '../ingest/event-ingest.js'
import { IngestMetrics } from '../ingest/metrics.js'
import { WorkerApplier } from '../ingest/worker-applier.js'
import { HomeAssistantBridge } from '../integrations/homeassistant/ha-bridge.js'
import type { Clock } from '../lib/clock.js'
import { createLogger, type Logger } from '../lib/logger.js'
import { CloudMetrics } from '../metrics/cloud-metrics.js'
import { type Db, openDatabase } from '../storage/db.js'
import { createTimeSeries } from '../timeseries/create.js'
import { durationSeconds } from '../timeseries/influxql.js'
import type { TimeSeries } from '../timeseries/time-series.js'
import { AlertWiring } from './alert-features.js'
import type { CloudConfig } from './config.js'
import { createEventHandlers } from './event-handlers.js'
import { Leadership } from './leadership.js'

export const VERSION = '0.1.0'

export interface CloudOptions {
  /** The round service's clock (tests move it across days); presses keep the real time. */
  now?: () => number
  /** Availability and alerts' clock (grace, silence, repeats): tests drive it without sleeping. */
  clock?: Clock
}

export class Cloud {
  readonly log: Logger
  readonly listEvents = new ListEvents()
  readonly fleetEvents = new FleetEvents()
  readonly pickupEvents = new PickupEvents()
  readonly presenceEvents = new PresenceEvents()
  db!: Db
  /** What every feature publishes and subscribes through: the embedded broker or the external one. */
  bus!: MessageBus
  /** The embedded broker; undefined with RELAIS_BROKER_URL. */
  broker?: Broker
  external?: ExternalBus
  ingest!: EventIngest
  applier!: BatchApplier
  series!: TimeSeries
  resolver?: CatalogueResolver
  agents?: AgentState
  rounds?: RoundService
  webhooks?: WebhookDispatcher
  alerts?: AlertWiring
  credentials?: CredentialWatch
  metrics?: CloudMetrics
  allowLists?: ConfigPublisher
  presenceRetention?: PresenceRetention
  homeAssistant?: HomeAssistantBridge
  linkLog?: LinkLog
  leadership!: Leadership
  relay?: EventRelay
  app!: FastifyInstance
  httpPort = 0
  private started: Feature[] = []

  constructor(
    readonly config: CloudConfig,
    log?: Logger,
    private readonly options: CloudOptions = {},
  ) {
    this.log = log ?? createLogger({ level: config.logLevel })
  }

  get mqttPort(): number {
    if (this.broker === undefined) throw new Error('no embedded broker: the cloud uses RELAIS_BROKER_URL')
    return this.broker.port
  }

  async start(): Promise<void> {
    const { config, log } = this
    const storage: Feature = {
      name: 'storage',
      start: async () => {
        this.db = await openDatabase({
          dataDir: config.dataDir,
          url: config.databaseUrl,
          log: log.child({ module: 'storage' }),
        })
      },
      stop: () => this.db.destroy(),
    }
    this.series = createTimeSeries(config, log.child({ module: 'timeseries' }))
    const broker: Feature = {
      name: 'broker',
      start: async () => {
        this.broker = new Broker({
          host: config.mqtt.host,
          port: config.mqtt.port,
          tls:
            config.mqtt.tlsPort !== undefined
              ? { port: config.mqtt.tlsPort, cert: config.mqtt.tlsCert!, key: config.mqtt.tlsKey! }
              : undefined,
          authenticator: new AgentAuthenticator(this.db),
          accounts: new AccountAuthenticator(this.db),
          log: log.child({ module: 'broker' }),
          cluster: config.redisUrl !== undefined ? { redisUrl: config.redisUrl } : undefined,
        })
        await this.broker.start()
        this.bus = this.broker
      },
      stop: () => this.broker?.stop(),
    }
    const external: Feature = {
      name: 'external-broker',
      start: async () => {
        this.external = new ExternalBus({ ...config.broker!, log })
        await this.external.start()
        this.bus = this.external
        log.info(
          { brokerUrl: config.broker!.url, off: ['credential-watch', 'link-log', 'broker-sessions'] },
          'external broker: features that need the embedded one are off',
        )
      },
      stop: () => this.external?.stop(),
    }
    // Sessions whose secret was rotated or revoked (here or by the CLI) are ended within a poll; not
    // critical: without it a changed secret still stops working at the next connect.
    const credentials: Feature = {
      name: 'credential-watch',
      start: () => {
        this.credentials = new CredentialWatch({
          db: this.db,
          broker: this.broker!,
          log,
          intervalMs: config.mqtt.credentialsPollMs,
        })
        this.credentials.start()
      },
      stop: () => this.credentials?.stop(),
    }
    // GET /metrics reads each part's counters at scrape time; a part not running is left out.
    const metrics = new CloudMetrics({
      ingest: () => this.ingest?.metrics,
      series: () => this.series.stats(),
      broker: () =>
        this.broker === undefined
          ? undefined
          : { connected: this.broker.aedes.connectedClients, sessions: this.broker.sessionCounts() },
      agents: () => this.agents?.all(),
      credentialsClosed: () => this.credentials?.closed,
    })
    this.metrics = metrics
    const fleet: Feature = {
      name: 'fleet',
      start: async () => {
        this.agents = new AgentState({
          bus: this.bus,
          db: this.db,
          log,
          events: this.fleetEvents,
          series: this.series,
        })
        await this.agents.start()
      },
      stop: () => this.agents?.stop(),
    }
    // Every connect and disconnect with its reason, for the ops timeline; best effort like all points.
    const linkLog: Feature = {
      name: 'link-log',
      start: () => {
        this.linkLog = new LinkLog({ aedes: this.broker!.aedes, series: this.series })
        this.linkLog.start()
      },
      stop: () => this.linkLog?.stop(),
    }
    const ingestMetrics = new IngestMetrics()
    metrics.watchAcks(ingestMetrics)
    const ingest: Feature = {
      name: 'ingest',
      start: async () => {
        // SQLite writes run in a writer thread so fsync never stalls the broker (ingest/apply-worker.ts);
        // RELAIS_INGEST_WORKER=off applies them on this thread instead.
        const settings = {
          debounceMs: config.ingest.debounceMs,
          webhook: config.pickups.webhook !== undefined,
        }
        this.applier = config.ingest.worker
          ? new WorkerApplier({ ...settings, dataDir: config.dataDir }, log.child({ module: 'writer' }))
          : new InlineApplier(this.db, createEventHandlers(settings))
        this.ingest = new EventIngest({
          bus: this.bus,
          db: this.db,
          applier: this.applier,
          metrics: ingestMetrics,
          effects: {
            scan: scanEffect(this.listEvents),
            press: (e) => this.pressEffect(e as PressEffect),
            enter: presenceEffect(this.presenceEvents),
            leave: presenceEffect(this.presenceEvents),
          },
          prunes: { scan: pruneChanges },
          log,
          series: this.series,
          batchMax: config.ingest.batchMax,
          dedupeRetentionDays: config.ingest.dedupeRetentionDays,
        })
        await this.ingest.start()
      },
      stop: async () => {
        await this.ingest.stop()
        await this.applier.close()
      },
    }
    const rounds: Feature = {
      name: 'rounds',
      start: async () => {
        this.rounds = new RoundService({
          db: this.db,
          bus: this.bus,
          log,
          series: this.series,
          config,
          events: this.pickupEvents,
          now: this.options.now,
        })
        await this.rounds.start()
      },
      stop: () => this.rounds?.stop(),
    }
    // Each reader's allow-list in its agent's retained config (DESIGN.md: pushed to readers, revocation
    // effective at once); it publishes through the embedded broker, so it starts after it.
    const allowLists: Feature = {
      name: 'presence-config',
      start: async () => {
        this.allowLists = new ConfigPublisher({
          bus: this.bus,
          db: this.db,
          log,
          events: this.presenceEvents,
        })
        await this.allowLists.start()
      },
      stop: () => this.allowLists?.stop(),
    }
    const presenceRetention: Feature = {
      name: 'presence-retention',
      start: () => {
        this.presenceRetention = new PresenceRetention({
          db: this.db,
          log,
          series: this.series,
          retentionDays: config.presence.retentionDays,
          maxOpenH: config.presence.maxOpenH,
        })
        this.presenceRetention.start()
      },
      stop: () => this.presenceRetention?.stop(),
    }
    // Home Assistant discovery: publishes through the embedded broker and reads the fleet's agent state
    // and presence, so it starts after them; not critical (HA only reads what it publishes).
    const homeAssistant: Feature = {
      name: 'homeassistant',
      start: async () => {
        this.homeAssistant = new HomeAssistantBridge({
          bus: this.bus,
          db: this.db,
          log,
          prefix: config.homeAssistant.prefix,
          version: VERSION,
          snapshot: (agent) => this.agents?.get(agent),
          fleetEvents: this.fleetEvents,
          presenceEvents: this.presenceEvents,
        })
        await this.homeAssistant.start()
      },
      stop: () => this.homeAssistant?.stop(),
    }
    // Webhooks (RELAIS_WEBHOOK_URL): the queue is a table written with each transition, so the dispatcher
    // is not critical: while it is down notices wait, none is lost. A committed change wakes it.
    const kick = () => this.webhooks?.kick()
    const webhooks: Feature = {
      name: 'webhooks',
      start: () => {
        const hook = config.pickups.webhook!
        this.webhooks = new WebhookDispatcher({ db: this.db, url: hook.url, secret: hook.secret, log })
        this.webhooks.start()
        this.pickupEvents.on('change', kick)
      },
      stop: async () => {
        this.pickupEvents.off('change', kick)
        await this.webhooks?.stop()
      },
    }
    // Online lookup of unknown products: off by default, so nothing leaves the server unless asked.
    const resolver: Feature = {
      name: 'catalogue-resolver',
      start: () => {
        const lookup = new ProductLookup({
          db: this.db,
          enabled: true,
          baseUrl: config.catalogue.offApiUrl,
          timeoutMs: config.catalogue.lookupTimeoutMs,
          log,
        })
        this.resolver = new CatalogueResolver({
          db: this.db,
          lookup,
          events: this.listEvents,
          log: log.child({ module: 'catalogue' }),
        })
        this.resolver.start()
      },
      stop: () => this.resolver?.stop(),
    }
    // Availability and alerts (alert-features.ts): after the broker (they hear its connection events)
    // and before HTTP (its routes read them); none is critical.
    this.alerts = new AlertWiring({
      config,
      log,
      clock: this.options.clock,
      db: () => this.db,
      bus: () => this.bus,
      aedes: () => this.broker?.aedes,
      ingest: () => this.ingest?.metrics,
      series: () => this.series,
    })
    const http: Feature = {
      name: 'http',
      start: async () => {
        this.app = await buildApp({
          db: this.db,
          log: log.child({ module: 'http' }),
          listEvents: this.listEvents,
          fleet: this.agents && { agents: this.agents, events: this.fleetEvents },
          alerts: this.alerts?.api(),
          version: VERSION,
          pickups: {
            ops: this.rounds,
            events: this.pickupEvents,
            timeZone: config.pickups.timeZone,
            webhookConfigured: config.pickups.webhook !== undefined,
            now: this.options.now,
          },
          presence: { events: this.presenceEvents, allowLists: this.allowLists, series: this.series },
          // Ops' config pushes go through the allow-list publisher: one writer of each agent's config.
          ops: {
            bus: this.bus,
            series: this.series,
            configs: this.allowLists,
            healthRawRetentionMs: rawHealthRetentionMs(config),
          },
          registry: {
            // A revoke also takes the agent out of Home Assistant at once, not at the bridge's next sync.
            credentialsChanged: async () => {
              void this.homeAssistant?.sync()
              await this.credentials?.check()
            },
            // As the CLI: RELAIS_AGENT_BROKER_URL, else this host on the broker's port.
            agentBrokerUrl: defaultBrokerUrl(config.mqtt, hostname()),
          },
          metrics,
          health: () => ({
            mqttClients: this.broker?.aedes.connectedClients,
            externalBroker: this.external && { connected: this.external.connected },
            ingestBacklog: this.ingest.backlog,
            // Whether this process runs the once-only jobs (alerts, webhooks, retention, HA).
            leader: this.leadership.leader,
          }),
        })
        this.httpPort = await listenHttp(this.app, { host: config.http.host, port: config.http.port })
      },
      stop: () => this.app.close(),
    }
    // In a cluster, list, pickup and presence changes reach the other nodes' pages and the leader's jobs.
    const relay: Feature = {
      name: 'event-relay',
      start: async () => {
        this.relay = new EventRelay({
          bus: this.bus,
          nodeId: this.broker!.nodeId,
          relayed: [
            { source: 'lists', emitter: this.listEvents, event: 'change' },
            { source: 'pickups', emitter: this.pickupEvents, event: 'change' },
            { source: 'presence', emitter: this.presenceEvents, event: 'presence' },
            { source: 'presence', emitter: this.presenceEvents, event: 'closed' },
          ],
          log,
        })
        await this.relay.start()
      },
      stop: () => this.relay?.stop(),
    }
    const alertFeatures = this.alerts.features()
    // The jobs that must run once however many processes share the database (leadership.ts): in a
    // cluster of broker nodes or among ingest workers only the leader runs them; a single process leads.
    this.leadership = new Leadership({
      url: config.redisUrl !== undefined || config.broker !== undefined ? config.databaseUrl : undefined,
      features: [
        presenceRetention,
        ...(config.homeAssistant.discovery ? [homeAssistant] : []),
        ...(config.pickups.webhook ? [webhooks] : []),
        ...this.alerts.jobs(),
      ],
      log,
      retryMs: config.leaderCheckMs,
    })
    this.started = await startFeatures(
      [
        { feature: storage, critical: true },
        { feature: this.series, critical: false },
        ...(config.broker === undefined
          ? [
              { feature: broker, critical: true },
              { feature: credentials, critical: false },
            ]
          : [{ feature: external, critical: true }]),
        { feature: fleet, critical: false },
        ...(config.broker === undefined ? [{ feature: linkLog, critical: false }] : []),
        ...(config.redisUrl !== undefined ? [{ feature: relay, critical: false }] : []),
        { feature: ingest, critical: true },
        { feature: rounds, critical: false },
        { feature: allowLists, critical: false },
        ...(config.catalogue.onlineLookup ? [{ feature: resolver, critical: false }] : []),
        ...alertFeatures,
        { feature: this.leadership, critical: false },
        { feature: http, critical: true },
      ],
      log,
    )
    log.info(
      {
        mqttPort: this.broker?.port,
        brokerUrl: config.broker?.url,
        httpPort: this.httpPort,
        dataDir: config.dataDir,
      },
      'relais cloud ready',
    )
  }

  /** A committed press: the round service plans it; without the service, live pages still hear of it. */
  private pressEffect(e: PressEffect): void {
    if (this.rounds !== undefined) {
      this.rounds.onPress(e)
      return
    }
    this.pickupEvents.emit('change', {
      requestId: e.requestId,
      siteId: e.siteId,
      courierId: null,
      roundId: e.roundId,
      state: e.state,
    })
  }

  async stop(): Promise<void> {
    await stopFeatures(this.started, this.log)
    this.started = []
  }
}

/** How long raw health is kept where the time series lives: InfluxDB's default policy, or the roll-up's. */
function rawHealthRetentionMs(config: CloudConfig): number {
  if (config.influx !== undefined) return durationSeconds(config.influx.retention) * 1000
  return config.healthHistory.rawRetentionMs
}
