// What the alert rules and the alert schedule need from the cloud config (app/config.ts, RELAIS_ALERT_*).
export type Severity = 'critical' | 'warning'

export interface AlertSettings {
  /** How often the evaluator looks (and declares offline after grace or silence). */
  tickMs: number
  /** An open, unacknowledged alert is delivered again this often. */
  repeatMs: number
  /** Local hours (minutes after midnight in timeZone) when repeats and new warnings wait; null: none. */
  quietHours: { fromMin: number; toMin: number } | null
  timeZone: string
  /** Declared offline for this long: alert. */
  offlineAfterMs: number
  batteryLowPct: number
  batteryLowV: number
  /** The voltage the trend counts down to (a cell's cut-off). */
  batteryEmptyV: number
  /** Alert when the battery trend says fewer days than this are left. */
  batteryDays: number
  trendWindowMs: number
  /** Outbox depth rising over this many consecutive health reports: alert. */
  backlogReports: number
  detachedGraceMs: number
  clockGraceMs: number
  authFailures: { count: number; windowMs: number }
  rejects: { count: number; windowMs: number }
}
