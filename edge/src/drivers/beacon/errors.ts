// Errors of the beacon reader with stable codes (CONTRIBUTING: errors carry stable codes), so a log
// line or a test names the failure without matching on words.
export type BeaconErrorCode =
  | 'beacon_noble_missing'
  | 'beacon_replay_unreadable'
  | 'beacon_replay_record'
  | 'beacon_allowlist_unreadable'
  | 'beacon_allowlist_write'
  | 'beacon_source_config'

export class BeaconError extends Error {
  constructor(
    readonly code: BeaconErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'BeaconError'
  }
}
