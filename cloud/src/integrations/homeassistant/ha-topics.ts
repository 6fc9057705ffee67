// The topics of the Home Assistant bridge, made only here. They live outside `relais/v1` on purpose: they
// are not part of the device contract (no agent publishes or reads them, no envelope, no schema in
// hardware/), they are what the cloud derives for one integration. Under `relais/v1` every topic belongs
// to an agent's prefix, and parseTopic would have to learn a shape that is not a device's.
//   <prefix>/<component>/relais_<agent>/<object>/config      discovery (HA's format), retained
//   <prefix>/<component>/relais_zone_<zone>/<object>/config  discovery of a presence zone, retained
//   <prefix>/status                                          HA's birth and will ("online"/"offline")
//   relais/ha/bridge/status                                  the bridge itself, retained
//   relais/ha/agents/<agent>/<device>/<state>                what the bridge derived, retained
//   relais/ha/agents/<agent>/<device>/press                  a press, once per event, not retained
//   relais/ha/zones/<zone>/presence                          how many are present, retained
// Agents and zones each have their own branch, so an integration account can be scoped to one agent
// (`relais/ha/agents/<agent>/#`, `<prefix>/+/relais_<agent>/#`) without reaching a zone.

export const HA_ROOT = 'relais/ha'

/** HA's discovery components the bridge uses. */
export type HaComponent = 'sensor' | 'binary_sensor' | 'device_automation'

/** Retained per-device states the bridge keeps; a removed device's are cleared. */
export const DEVICE_STATES = ['last_scan', 'pickup'] as const
export type DeviceState = (typeof DEVICE_STATES)[number]

/**
 * HA node ids. Agent and zone ids are [a-z0-9-] and never hold '_', so `relais_zone_<zone>` can never be
 * an agent's node, and the `relais_` prefix keeps clear of other publishers under the same prefix.
 */
export const nodeIds = {
  agent: (agent: string) => `relais_${agent}`,
  zone: (zone: string) => `relais_zone_${zone}`,
} as const

export function haTopics(prefix: string) {
  return {
    config: (component: HaComponent, node: string, object: string) =>
      `${prefix}/${component}/${node}/${object}/config`,
    /** HA's birth message topic (its MQTT integration's default birth and will). */
    birth: () => `${prefix}/status`,
    bridgeStatus: () => `${HA_ROOT}/bridge/status`,
    deviceState: (agent: string, device: string, state: DeviceState) =>
      `${HA_ROOT}/agents/${agent}/${device}/${state}`,
    press: (agent: string, device: string) => `${HA_ROOT}/agents/${agent}/${device}/press`,
    zonePresence: (zone: string) => `${HA_ROOT}/zones/${zone}/presence`,
  } as const
}

export type HaTopics = ReturnType<typeof haTopics>
