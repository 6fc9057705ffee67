// The fleet registry as ops staff read it: every agent's kind, placement, tags and credentials state
// from the agents table, the firmware and config it last reported (kept across restarts), and what the
// AgentState feature knows of it right now (online, devices, outbox depth).

import { notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import {
  type AgentStateReader,
  type DeviceView,
  deviceViews,
  droppedOf,
  emptySnapshot,
  pendingOf,
} from './agent-snapshot.js'

export interface RegistryAgent {
  agent: string
  kind: string | null
  householdId: string | null
  siteId: string | null
  zoneId: string | null
  tags: string[]
  createdAt: number
  revokedAt: number | null
  /** Last rotate or revoke, or provisioning. */
  credentialsAt: number | null
  /** From its birth: live when it is connected, else the last one the cloud recorded. */
  firmwareVersion: string | null
  configHash: string | null
  reportedAt: number | null
  online: boolean
  lastSeen: number | null
  pending: number | null
  dropped: number | null
  devices: DeviceView[]
}

export interface RegistryFilter {
  id?: string
  tag?: string
  kind?: string
  /** Revoked agents are left out unless asked for. */
  revoked?: boolean
}

export async function listRegistry(
  db: Db,
  state: AgentStateReader | undefined,
  filter: RegistryFilter = {},
): Promise<RegistryAgent[]> {
  let q = db.selectFrom('agents').selectAll().orderBy('id')
  if (filter.id !== undefined) q = q.where('id', '=', filter.id)
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind)
  if (filter.revoked !== true) q = q.where('revoked_at', 'is', null)
  if (filter.tag !== undefined) {
    const tag = filter.tag
    q = q.where('id', 'in', (eb) => eb.selectFrom('agent_tags').select('agent_id').where('tag', '=', tag))
  }
  const rows = await q.execute()
  if (rows.length === 0) return []
  const tags = new Map<string, string[]>()
  for (const r of await db
    .selectFrom('agent_tags')
    .select(['agent_id', 'tag'])
    .where(
      'agent_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('tag')
    .execute()) {
    tags.set(r.agent_id, [...(tags.get(r.agent_id) ?? []), r.tag])
  }
  return rows.map((r) => {
    const s = state?.get(r.id) ?? emptySnapshot(r.id)
    return {
      agent: r.id,
      kind: r.kind,
      householdId: r.household_id,
      siteId: r.site_id,
      zoneId: r.zone_id,
      tags: tags.get(r.id) ?? [],
      // Number(): PostgreSQL's driver returns bigint columns as strings.
      createdAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
      credentialsAt: r.credentials_at === null ? null : Number(r.credentials_at),
      firmwareVersion: s.info?.version ?? r.firmware_version,
      configHash: s.info?.configHash ?? r.config_hash,
      reportedAt: r.reported_at === null ? null : Number(r.reported_at),
      online: s.online,
      lastSeen: s.lastSeen,
      pending: pendingOf(s),
      dropped: droppedOf(s),
      devices: deviceViews(s),
    }
  })
}

export async function getRegistryAgent(
  db: Db,
  state: AgentStateReader | undefined,
  agent: string,
): Promise<RegistryAgent> {
  const [found] = await listRegistry(db, state, { id: agent, revoked: true })
  if (found === undefined) throw notFound(`agent '${agent}'`)
  return found
}

/** Remembers what a birth reported, so the registry shows it while the agent is offline. */
export async function recordBirth(
  db: Db,
  agent: string,
  info: { version: string; configHash: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ firmware_version: info.version, config_hash: info.configHash, reported_at: now })
    .where('id', '=', agent)
    .execute()
}
