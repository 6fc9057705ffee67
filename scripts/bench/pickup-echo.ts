// The pickup bench's baseline: a bare MQTT round trip on the same broker. A client with an agent's
// credentials publishes at QoS 1 (on its telemetry topic, which no part of the cloud handles) and an
// in-process subscriber echoes the same bytes to the client's cmd topic at QoS 1: the path of a press and
// its ack (client -> Aedes -> in-process handler -> Aedes -> client) without validation, SQLite or domain.
import { filters, makeEnvelope, parseTopic, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'
import type { Broker } from '../../cloud/src/broker/broker.js'

/** Starts the echo on the cloud's broker; returns how to stop it. */
export function startEcho(broker: Broker): Promise<() => Promise<void>> {
  return broker.subscribe(filters.allTelemetry(), (topic, payload) => {
    const t = parseTopic(topic)
    if (t?.kind !== 'telemetry') return
    void broker.publish(topics.cmd(t.agent, 'echo', t.device), payload, { qos: 1, retain: false })
  })
}

export class EchoClient {
  /** Round trips in ms, in completion order. */
  readonly rtts: number[] = []
  private readonly sent = new Map<string, number>()
  private seq = 0

  private constructor(
    private readonly client: MqttClient,
    private readonly agent: string,
  ) {
    client.on('message', (_topic, payload) => {
      const at = performance.now()
      const { id } = JSON.parse(payload.toString()) as { id: string }
      const t0 = this.sent.get(id)
      if (t0 === undefined) return
      this.sent.delete(id)
      this.rtts.push(at - t0)
    })
  }

  static async connect(url: string, agent: string, secret: string): Promise<EchoClient> {
    const client = await mqtt.connectAsync(url, {
      clientId: agent,
      username: agent,
      password: secret,
      reconnectPeriod: 0,
    })
    await client.subscribeAsync(topics.cmd(agent, 'echo', 'echo'), { qos: 1 })
    return new EchoClient(client, agent)
  }

  get outstanding(): number {
    return this.sent.size
  }

  send(): void {
    const env = makeEnvelope({
      agent: this.agent,
      device: 'echo',
      type: 'telemetry',
      session: 'bench',
      seq: this.seq++,
      data: { n: this.seq },
    })
    this.sent.set(env.id, performance.now())
    this.client.publish(topics.telemetry(this.agent, 'echo'), JSON.stringify(env), { qos: 1 })
  }

  close(): Promise<void> {
    return this.client.endAsync(true)
  }
}
