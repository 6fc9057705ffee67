// Device feedback: what the person in front of the device sees or hears after a scan or a press.
import type { Logger } from 'pino'
import type { FeedbackConfig } from '../config/schema.js'
import { feedbackError, type JohnnyFiveDeps, JohnnyFiveFeedback } from './johnny-five.js'
import { LogFeedback, TerminalFeedback, type TerminalOptions } from './terminal.js'
import type { Feedback } from './types.js'

export type FeedbackDeps = JohnnyFiveDeps & { terminal?: TerminalOptions }

/** The feedback the config asks for; johnny-five is loaded only when chosen (and only in start()). */
export function createFeedback(config: FeedbackConfig, log: Logger, deps: FeedbackDeps = {}): Feedback {
  switch (config.kind) {
    case 'johnny-five':
      if (!config.johnnyFive)
        throw feedbackError('FEEDBACK_CONFIG', "feedback.johnnyFive is required with kind 'johnny-five'")
      return new JohnnyFiveFeedback(config.johnnyFive, log, deps)
    case 'terminal':
      return new TerminalFeedback(log, deps.terminal)
    default:
      return new LogFeedback(log)
  }
}

export {
  feedbackError,
  type JohnnyFiveConfig,
  type JohnnyFiveDeps,
  JohnnyFiveFeedback,
  type Timers,
} from './johnny-five.js'
export * from './patterns.js'
export { LogFeedback, TerminalFeedback, type TerminalOptions } from './terminal.js'
export * from './types.js'
