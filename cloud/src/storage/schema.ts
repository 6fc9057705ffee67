// Row types of the relational store, as Kysely sees them. Times are epoch milliseconds; booleans are
// 0/1 integers so SQLite and PostgreSQL read the same.
import type { Generated } from 'kysely'
import type { AlertTables } from './alerts-schema.js'
import type { FleetTables } from './fleet-schema.js'
import type { PresenceTables } from './presence-schema.js'

export interface HouseholdsTable {
  id: string
  name: string
  created_at: number
}

export interface ApiTokensTable {
  id: string
  /** sha256 of the token: tokens are 256-bit random, so a fast hash is enough to make a leak useless. */
  token_hash: string
  scope: 'household' | 'courier' | 'ops' | 'site' | 'member' | 'zone'
  household_id: string | null
  /** A courier token's courier (migration 0004). */
  courier_id: string | null
  /** A site token's site: the customer's view of their own button (migration 0004). */
  site_id: string | null
  /** A member token's member: their own presence data (migration 0005). */
  member_id: string | null
  /** A zone token's zone: its staff's view of who is present (migration 0005). */
  zone_id: string | null
  name: string
  created_at: number
  revoked_at: number | null
}

export interface AgentsTable {
  id: string
  household_id: string | null
  /** Where a pickup button is placed (migration 0003). */
  site_id: string | null
  /** scrypt$N$r$p$salt$hash (base64url); the secret itself is never stored. */
  secret_hash: string
  created_at: number
  revoked_at: number | null
  /** scanner | button | beacon (migration 0006). */
  kind: string | null
  /** The zone a beacon reader stands in (migration 0006; no foreign key, see there). */
  zone_id: string | null
  /** What its last birth (info) reported (migration 0006). */
  firmware_version: string | null
  config_hash: string | null
  reported_at: number | null
  /** Last rotate or revoke (migration 0006): the running broker polls for changes by it. */
  credentials_at: number | null
  /** The secret as Mosquitto's password file wants it (migration 0008); null if made before it. */
  mosquitto_hash: string | null
}

export interface ListsTable {
  id: string
  household_id: string
  name: string
  is_default: number
  created_at: number
}

export interface ProductsTable {
  /** The lookup key: a GTIN-14 for GTINs, the code as read for plain codes. */
  code: string
  name: string | null
  brands: string | null
  quantity: string | null
  image_url: string | null
  categories: string | null
  lang: string | null
  source: string
  updated_at: number
}

export interface HouseholdProductsTable {
  household_id: string
  code: string
  name: string
  named_at: number
}

export interface ItemsTable {
  id: string
  list_id: string
  code: string
  /** The code as people read it (EAN-13, EAN-8, UPC-A or the plain code). */
  display_code: string
  name: string | null
  quantity: number
  checked: number
  unknown: number
  added_by: string
  first_scan_at: number | null
  last_scan_at: number | null
  last_scan_agent: string | null
  last_scan_device: string | null
  created_at: number
  updated_at: number
}

export interface UnknownProductsTable {
  household_id: string
  code: string
  display_code: string
  first_seen: number
  last_seen: number
  scans: number
  named_at: number | null
}

export interface ProcessedEventsTable {
  agent_id: string
  event_id: string
  received_at: number
  /** The ack data sent for it (JSON), repeated verbatim on a replay. */
  outcome: string
}

export interface ItemChangesTable {
  /** Orders changes: epoch ms * 1000 + a counter, strictly increasing within the writing process. */
  seq: number
  agent_id: string
  device_id: string
  event_id: string
  item_id: string
  /** What the change did, as JSON, enough to reverse it (see domains/lists/scan-apply.ts). */
  before: string | null
  created_at: number
  undone_at: number | null
  /** The device's change below this one on its undo stack (migration 0010); null at the bottom. */
  prev_seq: number | null
}

/** Each device's undo stack: its newest change not undone (null: nothing to undo). */
export interface UndoStacksTable {
  agent_id: string
  device_id: string
  top_seq: number | null
}

export interface SitesTable {
  id: string
  name: string
  address: string
  lat: number
  lon: number
  notes: string | null
  contact: string | null
  created_at: number
  /** The courier whose round collects here (migration 0004); null: the courier of the nearest depot. */
  courier_id: string | null
}

export interface PickupRequestsTable {
  id: string
  site_id: string
  agent_id: string
  device_id: string
  state: 'requested' | 'scheduled' | 'collected' | 'not_found' | 'cancelled' | 'expired'
  requested_at: number
  window_from: number | null
  window_to: number | null
  updated_at: number
  closed_reason: string | null
  /** The round it is on, once assigned (migration 0004). */
  round_id: string | null
}

export interface PickupTransitionsTable {
  id: string
  request_id: string
  from_state: string | null
  to_state: string
  at: number
  /** Who: 'agent/device', 'courier:<id>', 'ops:<token>', 'system'. */
  by: string
  reason: string | null
  event_id: string | null
}

export interface DepotsTable {
  id: string
  name: string
  address: string
  lat: number
  lon: number
  created_at: number
}

export interface CouriersTable {
  id: string
  name: string
  depot_id: string
  phone: string | null
  /** Working day, minutes after local midnight (RELAIS_TZ). */
  shift_start_min: Generated<number>
  shift_end_min: Generated<number>
  /** Average speed over the legs, metres per second. */
  speed_mps: Generated<number>
  /** Time spent at each stop, seconds. */
  service_s: Generated<number>
  /** Width of the ETA window shown to the customer, seconds. */
  window_s: Generated<number>
  created_at: number
  retired_at: number | null
}

export interface RoundsTable {
  id: string
  courier_id: string
  /** Local calendar day, YYYY-MM-DD. */
  day: string
  depot_id: string
  starts_at: number
  ends_at: number
  length_m: Generated<number>
  planned_at: number
  revision: Generated<number>
}

export interface RoundStopsTable {
  round_id: string
  request_id: string
  seq: number
  arrival: number
  window_from: number
  window_to: number
}

export interface WebhookDeliveriesTable {
  /** The transition's id. */
  id: string
  request_id: string
  /** The JSON body, fixed at enqueue time so every retry signs and sends the same bytes. */
  body: string
  created_at: number
  attempts: Generated<number>
  next_at: number
  delivered_at: number | null
  last_status: number | null
  last_error: string | null
  /** pickups | alerts (migration 0007): which receiver the row goes to. */
  channel: Generated<string>
}

export interface CatalogueLookupsTable {
  code: string
  status: 'found' | 'not_found' | 'error'
  fetched_at: number
  payload: string | null
}

/** Presence tables (migration 0005) live in presence-schema.ts. */
export interface Database extends PresenceTables, FleetTables, AlertTables {
  households: HouseholdsTable
  api_tokens: ApiTokensTable
  agents: AgentsTable
  lists: ListsTable
  products: ProductsTable
  household_products: HouseholdProductsTable
  items: ItemsTable
  unknown_products: UnknownProductsTable
  processed_events: ProcessedEventsTable
  catalogue_lookups: CatalogueLookupsTable
  item_changes: ItemChangesTable
  undo_stacks: UndoStacksTable
  sites: SitesTable
  pickup_requests: PickupRequestsTable
  pickup_transitions: PickupTransitionsTable
  depots: DepotsTable
  couriers: CouriersTable
  rounds: RoundsTable
  round_stops: RoundStopsTable
  webhook_deliveries: WebhookDeliveriesTable
  kysely_migration?: { name: Generated<string> }
}
