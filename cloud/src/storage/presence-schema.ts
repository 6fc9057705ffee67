// Row types of the presence tables (migration 0005). Times are epoch ms.

export interface ZonesTable {
  id: string
  name: string
  site_id: string | null
  created_at: number
}

/** Where a beacon reader (one device of an agent) stands. */
export interface ReaderPlacementsTable {
  agent_id: string
  device_id: string
  zone_id: string
  placed_at: number
}

/** A pseudonymous member: no name; `ref` is opaque to Relais (a loyalty number hash, say). */
export interface MembersTable {
  id: string
  ref: string | null
  created_at: number
}

export interface BeaconsTable {
  key: string
  member_id: string
  created_at: number
}

export interface ConsentsTable {
  id: string
  member_id: string
  zone_id: string
  purpose: string
  granted_at: number
  granted_by: string
  expires_at: number | null
  revoked_at: number | null
  revoked_by: string | null
}

export type ConsentAction = 'granted' | 'revoked' | 'expired' | 'erased'

/** Append-only. */
export interface ConsentAuditTable {
  id: string
  member_id: string
  consent_id: string | null
  zone_id: string | null
  purpose: string | null
  action: ConsentAction
  by: string
  at: number
}

export interface PresenceSessionsTable {
  id: string
  member_id: string
  beacon_key: string
  zone_id: string
  agent_id: string
  device_id: string
  entered_at: number
  left_at: number | null
  /** The reader's (timeout, weak) or the cloud's (stale, retention). */
  leave_reason: string | null
}

export interface AgentConfigsTable {
  agent_id: string
  revision: number
  /** JSON of the config's data, revision included. */
  data: string
  updated_at: number
}

export interface PresenceTables {
  zones: ZonesTable
  reader_placements: ReaderPlacementsTable
  members: MembersTable
  beacons: BeaconsTable
  consents: ConsentsTable
  consent_audit: ConsentAuditTable
  presence_sessions: PresenceSessionsTable
  agent_configs: AgentConfigsTable
}
