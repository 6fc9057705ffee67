// @relais/edge: the agent that runs on the device. Simulators run it with simulated drivers.
export { Agent, type AgentDeps } from './agent.js'
export { AgentConfigError, loadAgentConfig, parseAgentConfig } from './config/load.js'
export type { AgentConfig, FeedbackConfig, ScannerConfig } from './config/schema.js'
export { SimulatedScanner } from './drivers/scanner/simulated.js'
export type { DeviceState, ScanRead, ScanSource } from './drivers/scanner/types.js'
export { LogFeedback } from './feedback/terminal.js'
export type { Feedback, FeedbackSignal } from './feedback/types.js'
export { createLogger, type Logger } from './lib/logger.js'
