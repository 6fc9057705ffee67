// One agent's timeline for the ops device page, from what the cloud already stores: the registry
// (provisioned, credentials changed, revoked, last birth), availability (the current state since when,
// the last disconnect and its reason, devices attached or detached since when), the alert log (every
// alert raised, acknowledged and cleared; the offline rule's alerts are its incident history) and the
// agent's desired config (the last revision pushed), and every connect and disconnect the link log put in
// the time series (link-log.ts); availability alone keeps only the latest link change.
import type { Db } from '../../storage/db.js'
import type { AvailabilityReader } from '../availability/availability-tracker.js'

export type TimelineType =
  | 'provisioned'
  | 'credentials'
  | 'revoked'
  | 'birth'
  | 'online'
  | 'offline'
  | 'connect'
  | 'disconnect'
  | 'device'
  | 'alert_raised'
  | 'alert_acked'
  | 'alert_cleared'
  | 'config'
  | 'command'

export interface TimelineEntry {
  at: number
  type: TimelineType
  text: string
  device: string | null
  alertId: string | null
}

const n = (v: number | string | null) => (v === null ? null : Number(v))

export async function agentTimeline(
  db: Db,
  availability: AvailabilityReader | undefined,
  agent: string,
  limit: number,
  /** Connects and disconnects from the link log (link-log.ts); without them, the last disconnect only. */
  links?: TimelineEntry[],
): Promise<TimelineEntry[] | undefined> {
  const row = await db.selectFrom('agents').selectAll().where('id', '=', agent).executeTakeFirst()
  if (row === undefined) return undefined
  const out: TimelineEntry[] = []
  const add = (at: number | null, type: TimelineType, text: string, extra: Partial<TimelineEntry> = {}) => {
    if (at !== null) out.push({ at, type, text, device: null, alertId: null, ...extra })
  }
  const created = Number(row.created_at)
  add(created, 'provisioned', 'provisioned')
  const creds = n(row.credentials_at)
  if (creds !== null && creds !== created && creds !== n(row.revoked_at))
    add(creds, 'credentials', 'secret rotated')
  add(n(row.revoked_at), 'revoked', 'revoked: its secret no longer connects')
  if (row.firmware_version !== null)
    add(
      n(row.reported_at),
      'birth',
      `birth: version ${row.firmware_version}, config ${row.config_hash ?? '?'}`,
    )

  const a = availability?.get(agent)
  if (a !== undefined) {
    if (a.state === 'online') add(a.since, 'online', 'online')
    if (a.state === 'offline')
      add(a.since, 'offline', a.offlineCause === 'silence' ? 'offline: silent past its timeout' : 'offline')
    const d = a.lastDisconnect
    if (d !== null && links === undefined)
      add(d.at, 'disconnect', `disconnected: ${d.reason}${d.detail ? ` (${d.detail})` : ''}`)
    for (const dev of a.devices.values())
      add(dev.since, 'device', `${dev.id} ${dev.state}${dev.detail ? `: ${dev.detail}` : ''}`, {
        device: dev.id,
      })
  }

  out.push(...(links ?? []))

  const alerts = await db
    .selectFrom('alerts')
    .selectAll()
    .where('subject', '=', agent)
    .orderBy('raised_at', 'desc')
    .limit(limit)
    .execute()
  for (const al of alerts) {
    const extra = { device: al.device, alertId: al.id }
    add(Number(al.raised_at), 'alert_raised', `alert (${al.severity}): ${al.message}`, extra)
    add(n(al.acked_at), 'alert_acked', `alert acknowledged by ${al.acked_by ?? '?'}: ${al.rule}`, extra)
    add(n(al.cleared_at), 'alert_cleared', `alert cleared: ${al.rule}`, extra)
  }

  const config = await db
    .selectFrom('agent_configs')
    .select(['revision', 'updated_at'])
    .where('agent_id', '=', agent)
    .executeTakeFirst()
  // The history names the pushes ops made (with who); the table's row is the last push of either writer.
  const told = (rev: number) =>
    out.some((e) => e.type === 'config' && e.text.startsWith(`config revision ${rev} `))
  if (config !== undefined && !told(Number(config.revision)))
    add(Number(config.updated_at), 'config', `config revision ${Number(config.revision)} pushed`)

  // Newest first; at equal times, the order they were added (a stable sort).
  return out.sort((x, y) => y.at - x.at).slice(0, limit)
}
