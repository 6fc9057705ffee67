// @relais/edge: the agent that runs on the device. Simulators run it with simulated drivers.
export { Agent, type AgentDeps } from './agent.js'
export { AgentConfigError, loadAgentConfig, parseAgentConfig } from './config/load.js'
export type {
  AgentConfig,
  BeaconReaderDeviceConfig,
  ButtonConfig,
  FeedbackConfig,
  ScannerConfig,
} from './config/schema.js'
export {
  type Advertisement,
  type AdvertisementSource,
  type Clock,
  createAdvertisementSource,
  ReplayAdvertisementSource,
  SimulatedAdvertisementSource,
} from './drivers/beacon/index.js'
export { SimulatedButton, type SimulatedButtonOptions } from './drivers/button/simulated.js'
export type { ButtonInput } from './drivers/button/types.js'
export { SimulatedScanner } from './drivers/scanner/simulated.js'
export type { DeviceState, ScanRead, ScanSource } from './drivers/scanner/types.js'
export { BeaconReaderFeature } from './features/beacon/reader.js'
export { PresenceTracker, type TrackerEvent, type TrackerOptions } from './features/beacon/tracker.js'
export { ButtonFeature } from './features/button.js'
export { BUTTON_PATTERNS, BUTTON_SIGNALS, type ButtonSignal } from './feedback/button-patterns.js'
export { LogFeedback } from './feedback/terminal.js'
export type { Feedback, FeedbackSignal } from './feedback/types.js'
export { createLogger, type Logger } from './lib/logger.js'
