// Row types of the availability and alert tables (migration 0007). Times are epoch ms.

export interface AgentAvailabilityTable {
  agent: string
  state: 'online' | 'offline' | 'unknown'
  since: number | null
  session: string | null
  /** What declared it offline: its will or own offline status, or silence past its class's timeout. */
  offline_cause: 'status' | 'silence' | null
  last_seen: number | null
  /** JSON array of the device kinds in its last birth. */
  kinds: string
  last_disconnect_reason: string | null
  last_disconnect_at: number | null
  last_disconnect_detail: string | null
  sessions_day: string | null
  sessions_count: number
  updated_at: number
}

export interface AlertsTable {
  id: string
  alert_key: string
  rule: string
  subject: string
  device: string | null
  severity: 'critical' | 'warning'
  message: string
  /** JSON object: the measurements behind the alert. */
  details: string
  raised_at: number
  last_sent_at: number | null
  next_repeat_at: number | null
  repeats: number
  acked_at: number | null
  acked_by: string | null
  cleared_at: number | null
}

export interface AlertTables {
  agent_availability: AgentAvailabilityTable
  alerts: AlertsTable
}
