// Home Assistant MQTT discovery configs for Relais agents, their scanners and buttons, and presence zones:
// pure functions from what the cloud knows to (topic, config) pairs, so the shapes are tested without a
// broker. Field names follow HA's MQTT discovery docs (sensor, binary_sensor, device_automation):
// `device` puts entities in HA's device registry (each scanner or button a device reached `via_device`
// its agent), `availability` (all of: the bridge, the agent's own retained status) greys them out when
// either is gone. Zones carry counts only, never who: presence identities stay in Relais (DESIGN.md,
// privacy).
import { topics as contract } from '@relais/hardware'
import { type HaComponent, type HaTopics, nodeIds } from './ha-topics.js'

export interface AgentEntry {
  id: string
  /** scanner | button | beacon, from the fleet registry; null for agents made before kinds. */
  kind: string | null
  /** Firmware version from the agent's last birth, when heard since the cloud started. */
  version: string | null
  /** Scanners and buttons from the agent's birth; other kinds get no entities of their own. */
  devices: ReadonlyArray<{ id: string; kind: string }>
}

export interface ZoneEntry {
  id: string
  name: string
}

export interface Discovery {
  topic: string
  config: Record<string, unknown>
}

export interface DiscoveryContext {
  topics: HaTopics
  /** The cloud's version, in HA's `origin` block. */
  version: string
}

const MANUFACTURER = 'Relais'
const AGENT_MODELS: Record<string, string> = {
  scanner: 'Fridge scanner agent',
  button: 'Pickup button agent',
  beacon: 'Beacon reader agent',
}
const DEVICE_MODELS: Record<string, string> = { scanner: 'Fridge scanner', button: 'Pickup button' }
/** HA's own trigger types, so its UI names them ("First button pressed" ...) in the user's language. */
const PRESS_TRIGGERS = [
  ['single', 'button_short_press'],
  ['double', 'button_double_press'],
  ['long', 'button_long_press'],
] as const

/** The agent's retained status says online or offline inside the contract's envelope. */
export const STATUS_TEMPLATE = '{{ value_json.data.state }}'

export function agentDiscovery(ctx: DiscoveryContext, a: AgentEntry): Discovery[] {
  const node = nodeIds.agent(a.id)
  const origin = { name: MANUFACTURER, sw_version: ctx.version }
  const agentDevice = {
    identifiers: [node],
    name: `Relais ${a.id}`,
    manufacturer: MANUFACTURER,
    model: AGENT_MODELS[a.kind ?? ''] ?? 'Relais agent',
    ...(a.version === null ? {} : { sw_version: a.version }),
  }
  const bridge = {
    topic: ctx.topics.bridgeStatus(),
    payload_available: 'online',
    payload_not_available: 'offline',
  }
  const agentStatus = {
    topic: contract.status(a.id),
    value_template: STATUS_TEMPLATE,
    payload_available: 'online',
    payload_not_available: 'offline',
  }
  const entity = (component: HaComponent, object: string, config: Record<string, unknown>): Discovery => ({
    topic: ctx.topics.config(component, node, object),
    config: { unique_id: `${node}_${object}`, origin, ...config },
  })
  const out: Discovery[] = [
    // The agent's own link: a connectivity sensor, so the agent is a device of its own in HA (the one its
    // scanners and buttons are reached via) and reads "disconnected" rather than "unavailable".
    entity('binary_sensor', 'online', {
      name: 'Online',
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      state_topic: contract.status(a.id),
      value_template: STATUS_TEMPLATE,
      payload_on: 'online',
      payload_off: 'offline',
      availability: [bridge],
      device: agentDevice,
    }),
  ]
  for (const d of a.devices) {
    const model = DEVICE_MODELS[d.kind]
    if (model === undefined) continue
    const device = {
      identifiers: [`${node}_${d.id}`],
      name: `${a.id} ${d.id}`,
      manufacturer: MANUFACTURER,
      model,
      via_device: node,
      ...(a.version === null ? {} : { sw_version: a.version }),
    }
    const live = { availability: [bridge, agentStatus], availability_mode: 'all', device }
    if (d.kind === 'scanner') {
      const state_topic = ctx.topics.deviceState(a.id, d.id, 'last_scan')
      out.push(
        entity('sensor', `${d.id}_last_scan`, {
          name: 'Last scan',
          icon: 'mdi:barcode-scan',
          state_topic,
          value_template: '{{ value_json.product }}',
          json_attributes_topic: state_topic,
          ...live,
        }),
        entity('sensor', `${d.id}_last_scan_at`, {
          name: 'Last scan time',
          device_class: 'timestamp',
          state_topic,
          value_template: '{{ value_json.at }}',
          ...live,
        }),
      )
    } else {
      const state_topic = ctx.topics.deviceState(a.id, d.id, 'pickup')
      out.push(
        entity('sensor', `${d.id}_pickup`, {
          name: 'Pickup',
          icon: 'mdi:package-variant',
          state_topic,
          value_template: '{{ value_json.state }}',
          json_attributes_topic: state_topic,
          ...live,
        }),
      )
      // Device triggers take no availability; one per type and subtype (HA: unique per device).
      for (const [press, type] of PRESS_TRIGGERS)
        out.push(
          entity('device_automation', `${d.id}_press_${press}`, {
            automation_type: 'trigger',
            type,
            subtype: 'button_1',
            topic: ctx.topics.press(a.id, d.id),
            payload: press,
            device,
          }),
        )
    }
  }
  return out
}

export function zoneDiscovery(ctx: DiscoveryContext, z: ZoneEntry): Discovery[] {
  const node = nodeIds.zone(z.id)
  const origin = { name: MANUFACTURER, sw_version: ctx.version }
  const common = {
    origin,
    state_topic: ctx.topics.zonePresence(z.id),
    // The count is the cloud's own; only the bridge being gone makes it unknown.
    availability: [
      { topic: ctx.topics.bridgeStatus(), payload_available: 'online', payload_not_available: 'offline' },
    ],
    device: { identifiers: [node], name: z.name, manufacturer: MANUFACTURER, model: 'Presence zone' },
  }
  return [
    {
      topic: ctx.topics.config('sensor', node, 'present_count'),
      config: {
        unique_id: `${node}_present_count`,
        name: 'Present now',
        icon: 'mdi:account-group',
        state_class: 'measurement',
        value_template: '{{ value_json.count }}',
        ...common,
      },
    },
    {
      topic: ctx.topics.config('binary_sensor', node, 'someone_present'),
      config: {
        unique_id: `${node}_someone_present`,
        name: 'Someone present',
        device_class: 'occupancy',
        value_template: '{{ value_json.occupied }}',
        payload_on: 'ON',
        payload_off: 'OFF',
        ...common,
      },
    },
  ]
}
