// Counters of the ingest path, read by tests, the bench and GET /metrics (metrics/cloud-metrics.ts).
export class IngestMetrics {
  received = 0
  applied = 0
  replayed = 0
  acksSent = 0
  ackFailures = 0
  batches = 0
  batchFailures = 0
  largestBatch = 0
  /** Events stamped ahead of the cloud's clock, applied at their arrival instead (event-ingest.ts). */
  futureTimes = 0
  readonly rejected = new Map<string, number>()
  /** Events a domain refused by rule (presence without consent), by reason: counted, never stored. */
  readonly refused = new Map<string, number>()
  /** Rejections per agent: one misbehaving device is visible as such. */
  readonly rejectedByAgent = new Map<string, number>()
  /** Events by name and outcome (`scan\tadded`); replays count as 'replayed', refusals as 'rejected'. */
  readonly outcomes = new Map<string, number>()
  /** Told each ack's latency, from receipt to its publish (the /metrics histogram). */
  onAck?: (event: string, ms: number) => void

  outcome(event: string, outcome: string): void {
    const key = `${event}\t${outcome}`
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1)
  }

  reject(reason: string, agent: string | undefined): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1)
    if (agent !== undefined) this.rejectedByAgent.set(agent, (this.rejectedByAgent.get(agent) ?? 0) + 1)
  }

  refuse(reason: string): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1)
  }

  get rejectedTotal(): number {
    let n = 0
    for (const v of this.rejected.values()) n += v
    return n
  }

  snapshot() {
    return {
      received: this.received,
      applied: this.applied,
      replayed: this.replayed,
      rejected: Object.fromEntries(this.rejected),
      rejectedTotal: this.rejectedTotal,
      refused: Object.fromEntries(this.refused),
      acksSent: this.acksSent,
      ackFailures: this.ackFailures,
      batches: this.batches,
      batchFailures: this.batchFailures,
      largestBatch: this.largestBatch,
    }
  }
}
