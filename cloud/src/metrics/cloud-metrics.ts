// The cloud's own metrics for Prometheus (GET /metrics): one prom-client registry per Cloud, so two clouds
// in one test process never mix. Counters the rest of the cloud already keeps (ingest, time series,
// broker, fleet) are read at scrape time through collect(), so the hot paths stay plain field updates;
// only the ack latency histogram is fed as acks go out.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { type AgentSnapshot, droppedOf, pendingOf } from '../domains/fleet/agent-snapshot.js'
import type { IngestMetrics } from '../ingest/metrics.js'
import type { TimeSeriesStats } from '../timeseries/options.js'

/** Where each metric's value comes from; a part that is not running is simply left out of the scrape. */
export interface MetricSources {
  ingest?: () => IngestMetrics | undefined
  series?: () => TimeSeriesStats | undefined
  broker?: () => { connected: number; sessions: { agent: number; account: number } } | undefined
  agents?: () => Iterable<AgentSnapshot> | undefined
  credentialsClosed?: () => number | undefined
}

/** Seconds; acks are sent after a group commit, so most land in the first few buckets. */
const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class CloudMetrics {
  readonly registry = new Registry()
  private readonly ackLatency: Histogram

  constructor(sources: MetricSources) {
    const r = this.registry
    collectDefaultMetrics({ register: r, prefix: 'relais_' })
    this.ackLatency = new Histogram({
      name: 'relais_ingest_ack_latency_seconds',
      // One series, not one per event name: the delivery promise is the same for every event.
      help: 'Time from receiving an event to publishing its cmd/ack',
      buckets: ACK_BUCKETS,
      registers: [r],
    })
    const ingest = sources.ingest ?? (() => undefined)
    counter(
      r,
      'relais_ingest_events_total',
      'Events by name and outcome (replayed: a duplicate id)',
      ['event', 'outcome'],
      (set) => {
        for (const [key, n] of ingest()?.outcomes ?? []) {
          const [event, outcome] = key.split('\t') as [string, string]
          set({ event, outcome }, n)
        }
      },
    )
    counter(
      r,
      'relais_ingest_rejects_total',
      'Events and messages rejected, by reject code',
      ['code'],
      (set) => {
        for (const [code, n] of ingest()?.rejected ?? []) set({ code }, n)
      },
    )
    counter(
      r,
      'relais_ingest_refused_total',
      'Events a domain refused by rule (presence without consent), by reason',
      ['reason'],
      (set) => {
        for (const [reason, n] of ingest()?.refused ?? []) set({ reason }, n)
      },
    )
    const series = sources.series ?? (() => undefined)
    const broker = sources.broker ?? (() => undefined)
    // Unlabelled values, each read from one part; left out of the scrape while that part is not running.
    const singles: Array<[typeof counter, string, string, () => number | undefined]> = [
      [
        counter,
        'relais_ingest_received_total',
        'Messages received on event topics',
        () => ingest()?.received,
      ],
      [
        counter,
        'relais_ingest_ack_failures_total',
        'Acks the broker did not take',
        () => ingest()?.ackFailures,
      ],
      [
        counter,
        'relais_ingest_future_times_total',
        'Events stamped ahead of the cloud clock, applied at their arrival (a device clock set wrong)',
        () => ingest()?.futureTimes,
      ],
      [
        gauge,
        'relais_timeseries_buffered_points',
        'Time-series points waiting or being written',
        () => series()?.buffered,
      ],
      [
        counter,
        'relais_timeseries_written_points_total',
        'Time-series points written',
        () => series()?.written,
      ],
      [
        counter,
        'relais_timeseries_dropped_points_total',
        'Time-series points lost (buffer full, refused, left at stop)',
        () => series()?.dropped,
      ],
      [
        counter,
        'relais_timeseries_failed_writes_total',
        'Time-series batch writes that failed',
        () => series()?.failedWrites,
      ],
      [
        gauge,
        'relais_mqtt_connected_clients',
        'MQTT clients connected to the embedded broker',
        () => broker()?.connected,
      ],
      [
        counter,
        'relais_mqtt_sessions_closed_credentials_total',
        'Sessions ended because their secret was rotated or revoked',
        () => sources.credentialsClosed?.(),
      ],
    ]
    for (const [kind, name, help, read] of singles)
      kind(r, name, help, [], (set) => {
        const v = read()
        if (v !== undefined) set({}, v)
      })
    gauge(
      r,
      'relais_mqtt_sessions',
      'Authenticated MQTT sessions by kind (agent, account)',
      ['kind'],
      (set) => {
        const b = broker()
        if (b) for (const [kind, n] of Object.entries(b.sessions)) set({ kind }, n)
      },
    )
    const agents = sources.agents ?? (() => undefined)
    gauge(
      r,
      'relais_agent_outbox_depth',
      'Events waiting in an agent outbox, from its last health message',
      ['agent'],
      (set) => {
        for (const s of agents() ?? []) {
          const n = pendingOf(s)
          if (n !== null) set({ agent: s.agent }, n)
        }
      },
    )
    gauge(
      r,
      'relais_agent_outbox_dropped',
      'Events an agent outbox had to drop, from its last health message',
      ['agent'],
      (set) => {
        for (const s of agents() ?? []) {
          const n = droppedOf(s)
          if (n !== null) set({ agent: s.agent }, n)
        }
      },
    )
    gauge(r, 'relais_agents_online', 'Agents whose retained status says online', [], (set) => {
      const all = agents()
      if (all) set({}, [...all].filter((s) => s.online).length)
    })
  }

  /** Wires the ack histogram to an ingest's counters. */
  watchAcks(m: IngestMetrics): void {
    m.onAck = (_event, ms) => this.ackLatency.observe(ms / 1000)
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

type Labels = Record<string, string>
type Fill = (set: (labels: Labels, value: number) => void) => void

// Values the cloud already counts, copied in at scrape time: reset first, so a label that went away
// (an agent forgotten) leaves the scrape.
function counter(r: Registry, name: string, help: string, labelNames: string[], fill: Fill): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [r],
    collect() {
      this.reset()
      fill((labels, v) => this.inc(labels, v))
    },
  })
}

function gauge(r: Registry, name: string, help: string, labelNames: string[], fill: Fill): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [r],
    collect() {
      this.reset()
      fill((labels, v) => this.set(labels, v))
    },
  })
}
