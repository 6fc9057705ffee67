// The agent's config file as `relais agent add --out` writes it: broker URL, credentials and the device
// list of the agent's kind, shaped like the edge's config schema (edge/src/config/schema.ts) and the
// reference installs (hardware/devices/<kind>/agent.example.json). The cloud never imports edge
// (DESIGN.md, layout), so the shape is written here; scripts/test/agent-config-file.test.ts runs the
// edge's own validation on what this produces, so the two cannot drift apart unnoticed.
import { RelaisError } from '../../lib/errors.js'
import type { AgentKind } from './kinds.js'

export interface AgentConfigInput {
  agent: string
  kind: AgentKind
  secret: string
  /** mqtt://host:1883 or mqtts://host:8883, as the Pi reaches the broker. */
  brokerUrl: string
  /** The CA that signed the broker's certificate, for mqtts URLs. */
  caFile?: string
}

/** The reference hardware of each kind (hardware/devices/<kind>/), as in its agent.example.json. A kind
 * added later may have none yet: `--out` is then refused before anything is stored. */
const DEVICES: Partial<Record<AgentKind, Record<string, unknown>>> = {
  scanner: {
    scanners: [
      {
        id: 'scanner-1',
        driver: 'serial',
        serial: { path: '/dev/relais-scanner', baudRate: 9600, terminator: 'cr' },
      },
    ],
    feedback: {
      kind: 'johnny-five',
      johnnyFive: {
        io: 'firmata',
        port: '/dev/relais-firmata',
        pins: { red: 9, green: 10, blue: 11, buzzer: 3 },
      },
    },
  },
  button: {
    buttons: [
      {
        id: 'button',
        io: 'linux',
        linux: {
          input: '/dev/input/by-path/platform-button@11-event',
          keyCode: 256,
          leds: { green: 'relais-green', buzzer: 'relais-buzzer' },
        },
      },
    ],
    feedback: { kind: 'log' },
  },
  beacon: {
    // The Pi's own Bluetooth adapter (hardware/devices/beacon); thresholds keep the edge's defaults,
    // and the cloud's retained config may override them per reader.
    beacons: [{ id: 'ble-0', source: 'noble', noble: { hciDevice: 0 } }],
    feedback: { kind: 'log' },
  },
}

export const noConfigTemplate = (kind: string) =>
  new RelaisError(
    'no_config_template',
    `the edge agent has no device section for kind '${kind}' yet; provision without --out and write its config by hand`,
  )

export function hasConfigTemplate(kind: AgentKind): boolean {
  return DEVICES[kind] !== undefined
}

export function agentConfigFile(input: AgentConfigInput): Record<string, unknown> {
  const devices = DEVICES[input.kind]
  if (devices === undefined) throw noConfigTemplate(input.kind)
  const tls = input.brokerUrl.startsWith('mqtts://')
  return {
    agent: { id: input.agent },
    broker: {
      url: input.brokerUrl,
      username: input.agent,
      secret: input.secret,
      ...(tls ? { caFile: input.caFile ?? '/etc/relais/ca.pem' } : {}),
      keepaliveS: 30,
    },
    dataDir: '/var/lib/relais-agent',
    outbox: { maxEntries: 100_000, ackTimeoutMs: 10_000, inflight: 20 },
    health: { intervalS: 60 },
    log: { level: 'info' },
    ...structuredClone(devices),
  }
}

/** The URL agents reach the broker at: RELAIS_AGENT_BROKER_URL, else this host on the configured port. */
export function defaultBrokerUrl(
  mqtt: { port: number; tlsPort?: number; agentBrokerUrl?: string },
  hostname: string,
): string {
  if (mqtt.agentBrokerUrl !== undefined) return mqtt.agentBrokerUrl
  return mqtt.tlsPort !== undefined
    ? `mqtts://${hostname}:${mqtt.tlsPort}`
    : `mqtt://${hostname}:${mqtt.port}`
}
