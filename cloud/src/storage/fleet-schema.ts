// Row types of the fleet registry's own tables (migration 0006); the agents table's new columns are in
// schema.ts with the rest of it.

export interface AgentTagsTable {
  agent_id: string
  tag: string
}

export interface MqttAccountsTable {
  /** The MQTT username; never an agent id (the two share one namespace). */
  name: string
  /** scrypt$N$r$p$salt$hash, as agents' secrets. */
  secret_hash: string
  /** JSON arrays of MQTT topic filters. */
  read_patterns: string
  write_patterns: string
  deny_patterns: string
  created_at: number
  revoked_at: number | null
  /** Last rotate or revoke (epoch ms): the running broker polls for changes by it. */
  credentials_at: number
  /** The secret as Mosquitto's password file wants it (migration 0008); null if made before it. */
  mosquitto_hash: string | null
}

export interface FleetTables {
  agent_tags: AgentTagsTable
  mqtt_accounts: MqttAccountsTable
}
