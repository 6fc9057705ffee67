// The client side: K MQTT.js clients, each one agent `bench-<i>` with device `scanner-1`, publishing scan
// envelopes at QoS 1 and matching the application acks (`cmd/ack`) to what they sent by `corr`.
import { createConnection } from 'node:net'
import { MqttClient } from 'mqtt'
import type { Credentials, ScanSource } from './workload.js'

/** Called for each matched ack: when its scan was published (hrtime ns) and the ack's outcome. */
export type AckListener = (sentAt: bigint, receivedAt: bigint, outcome: string) => void

export class BenchClient {
  /** Scans published and not yet acked: envelope id -> publish time. */
  readonly pending = new Map<string, bigint>()
  /** Acks whose `corr` matched nothing outstanding (late, duplicated or foreign). */
  unmatched = 0
  publishErrors = 0
  onAck: AckListener = () => {}

  private constructor(
    private readonly client: MqttClient,
    private readonly source: ScanSource,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== source.ackTopic) return
      const receivedAt = process.hrtime.bigint()
      const ack = JSON.parse(payload.toString()) as { corr?: string; data?: { outcome?: unknown } }
      const sentAt = ack.corr === undefined ? undefined : this.pending.get(ack.corr)
      if (sentAt === undefined) {
        this.unmatched++
        return
      }
      this.pending.delete(ack.corr!)
      this.onAck(sentAt, receivedAt, String(ack.data?.outcome ?? 'missing'))
    })
  }

  static async connect(port: number, cred: Credentials, source: ScanSource): Promise<BenchClient> {
    // MQTT.js opens its socket with Nagle's algorithm on: a small publish then waits for the previous
    // one's TCP ACK, adding tens of ms to the round trip (measured here: bare p50 0.7 -> 19 ms at
    // 1,000/s). noDelay keeps the client's stack out of what is measured.
    const socket = () => createConnection({ host: '127.0.0.1', port, noDelay: true })
    const client = new MqttClient(socket, {
      clientId: cred.agent,
      username: cred.username,
      password: cred.password,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    })
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
    })
    await client.subscribeAsync(source.ackTopic, { qos: 1 })
    return new BenchClient(client, source)
  }

  send(): void {
    const { id, payload } = this.source.next()
    this.pending.set(id, process.hrtime.bigint())
    this.client.publish(this.source.topic, payload, { qos: 1 }, (err) => {
      if (err) this.publishErrors++
    })
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => {})
  }
}

export async function connectAll(
  port: number,
  creds: Credentials[],
  sourceFor: (agent: string) => ScanSource,
): Promise<BenchClient[]> {
  // A few at a time: a CONNECT to Relais costs an scrypt check the first time an agent is seen.
  const out: BenchClient[] = []
  for (let i = 0; i < creds.length; i += 10) {
    const part = creds.slice(i, i + 10)
    out.push(...(await Promise.all(part.map((c) => BenchClient.connect(port, c, sourceFor(c.agent))))))
  }
  return out
}
