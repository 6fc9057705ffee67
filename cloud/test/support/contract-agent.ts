// A lightweight agent speaking the contract over a real MQTT.js connection, for tests that need many
// of them (hundreds of full edge agents would cost seconds each): birth with its retained status online
// and a will saying offline, info with its devices and kinds, device statuses, health, events.
import { randomUUID } from 'node:crypto'
import { makeEnvelope, topics } from '@relais/hardware'
import mqtt, { type MqttClient } from 'mqtt'

export interface ContractAgentOptions {
  agent: string
  secret: string
  devices: Array<{ id: string; kind: string }>
}

export class ContractAgent {
  client?: MqttClient
  session = ''
  private seq = 0
  /** What each device last said, said again at every birth (the edge re-publishes retained state). */
  private readonly states = new Map<string, { state: 'attached' | 'detached'; detail?: string }>()

  constructor(readonly o: ContractAgentOptions) {}

  get agent(): string {
    return this.o.agent
  }

  private env(type: string, data: unknown, device?: string): string {
    return JSON.stringify(
      makeEnvelope({ agent: this.agent, device, type, session: this.session, seq: this.seq++, data }),
    )
  }

  /**
   * Connects and publishes its birth. `will: false` leaves no will; `keepalive: 0` sends no pings, so a
   * silent agent stays connected yet says nothing (a hung device behind a live TCP connection).
   */
  async connect(port: number, opts: { will?: boolean; keepalive?: number; clientId?: string } = {}) {
    this.session = randomUUID().slice(0, 12)
    const client = await mqtt.connectAsync({
      host: '127.0.0.1',
      port,
      clientId: opts.clientId ?? this.agent,
      username: this.agent,
      password: this.o.secret,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: opts.keepalive ?? 60,
      will:
        opts.will === false
          ? undefined
          : {
              topic: topics.status(this.agent),
              payload: Buffer.from(this.env('status', { state: 'offline' })),
              qos: 1,
              retain: true,
            },
    })
    client.on('error', () => {})
    this.client = client
    await client.publishAsync(topics.status(this.agent), this.env('status', { state: 'online' }), {
      qos: 1,
      retain: true,
    })
    await client.publishAsync(
      topics.info(this.agent),
      this.env('info', { version: '1.0.0', configHash: 'h', devices: this.o.devices }),
      { qos: 1, retain: true },
    )
    for (const d of this.o.devices) {
      const st = this.states.get(d.id) ?? { state: 'attached' as const }
      await this.deviceStatus(d.id, st.state, st.detail)
    }
    return client
  }

  deviceStatus(device: string, state: 'attached' | 'detached', detail?: string) {
    this.states.set(device, { state, detail })
    const kind = this.o.devices.find((d) => d.id === device)?.kind
    return this.client!.publishAsync(
      topics.deviceStatus(this.agent, device),
      this.env('status', { state, kind, ...(detail ? { detail } : {}) }, device),
      { qos: 1, retain: true },
    )
  }

  /** Health at QoS 1 here (the contract says 0), so the test knows the broker has it when this resolves. */
  health(fields: Record<string, number | boolean | null>) {
    return this.client!.publishAsync(topics.health(this.agent), this.env('health', fields), {
      qos: 1,
      retain: true,
    })
  }

  /** The socket dies without a DISCONNECT: the broker publishes the will. */
  kill(): void {
    this.client?.stream.destroy()
    this.client?.end(true)
    this.client = undefined
  }

  /** A clean stop, as the edge agent does it: offline published first, then DISCONNECT (no will). */
  async stop(): Promise<void> {
    const c = this.client
    this.client = undefined
    if (c === undefined) return
    await c.publishAsync(topics.status(this.agent), this.env('status', { state: 'offline' }), {
      qos: 1,
      retain: true,
    })
    await c.endAsync()
  }
}
