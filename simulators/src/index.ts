// @relais/simulators: virtual devices and fleets for demos, scenarios and load.
export { AgentFleet, type AgentFleetOptions, SimulatedAgent, type SimulatedAgentSpec } from './agent-fleet.js'
export {
  ButtonDevice,
  type ButtonDeviceOptions,
  type PickupCmdRecord,
  type PressRecord,
} from './button-device.js'
export { householdScenario, readSampleCodes, type ScenarioStep, UNKNOWN_CODES } from './household-scenario.js'
export { LinkFault } from './link-fault.js'
export {
  type DemoPress,
  PARIS_DEPOT,
  type PickupPlanOptions,
  parisSites,
  pickupDemoScenario,
  pickupPlan,
  type SimSite,
  type SitePresses,
  seeded,
} from './pickup-scenario.js'
export { ScannerDevice, type ScannerDeviceOptions } from './scanner-device.js'
export {
  APPROACH_MS,
  playShopDoor,
  type ShopDoorOptions,
  type ShopDoorScenario,
  type SimBeacon,
  shopDoorScenario,
  type WalkKind,
} from './shop-door-scenario.js'
