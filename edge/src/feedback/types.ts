// How the device tells the person in front of it what happened, from the device alone (no screen):
// LED colour and blink pattern, a beep, or a log line on headless setups.

export const FEEDBACK_SIGNALS = [
  /** The code was read and stored in the outbox (before anything else). */
  'received',
  /** Stored, but the cloud is not reachable: it will be sent later. */
  'queued_offline',
  'added',
  'incremented',
  'unknown_product',
  /** Already counted: the same code scanned again within the debounce window. */
  'duplicate',
  'rejected',
  /** Scan mode switched: 'remove' mode until timeout or the add code. */
  'mode_remove',
  'mode_add',
  'removed',
  'undone',
  /** Nothing to do (remove of a product not on the list, undo with nothing to undo). */
  'not_on_list',
  /** A fault on the device itself (scanner unplugged, outbox full). */
  'error',
  /** Ops asked the device to show itself (`cmd/identify`), to find it among others. */
  'identify',
] as const
export type FeedbackSignal = (typeof FEEDBACK_SIGNALS)[number]

export interface Feedback {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
  /** Shows a signal; a newer signal replaces one still showing. Never throws. */
  show(signal: FeedbackSignal, context?: { device?: string; code?: string; detail?: string }): void
}
