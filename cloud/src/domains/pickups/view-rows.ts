// Rows to the views of views.ts: the one place columns become API fields, so no column leaks.
import type { Kysely } from 'kysely'
import type { Database, PickupRequestsTable, SitesTable } from '../../storage/schema.js'
import type { PickupView, SiteView, TransitionView } from './views.js'

export function pickupView(r: PickupRequestsTable, transitions?: TransitionView[]): PickupView {
  const v: PickupView = {
    id: r.id,
    siteId: r.site_id,
    agentId: r.agent_id,
    deviceId: r.device_id,
    state: r.state,
    requestedAt: Number(r.requested_at),
    updatedAt: Number(r.updated_at),
    window:
      r.window_from !== null && r.window_to !== null
        ? { from: Number(r.window_from), to: Number(r.window_to) }
        : null,
    reason: r.closed_reason,
    roundId: r.round_id,
  }
  if (transitions !== undefined) v.transitions = transitions
  return v
}

export function siteView(s: SitesTable): SiteView {
  return {
    id: s.id,
    name: s.name,
    address: s.address,
    lat: Number(s.lat),
    lon: Number(s.lon),
    notes: s.notes,
    contact: s.contact,
    courierId: s.courier_id,
  }
}

export function mapUrl(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`
}

/** Transitions of the given requests in the order they were made, by request id. */
export async function transitionsOf(
  db: Kysely<Database>,
  requestIds: string[],
): Promise<Map<string, TransitionView[]>> {
  const out = new Map<string, TransitionView[]>(requestIds.map((id) => [id, []]))
  for (let i = 0; i < requestIds.length; i += 500) {
    const rows = await db
      .selectFrom('pickup_transitions')
      .selectAll()
      .where('request_id', 'in', requestIds.slice(i, i + 500))
      // Ids are time-ordered at creation (lib/ids.ts) on one clock for both writers (ingest thread and
      // round service), so they keep the order transitions were written even if `at` clocks differ.
      .orderBy('id')
      .execute()
    for (const t of rows)
      out.get(t.request_id)?.push({
        from: t.from_state,
        to: t.to_state,
        at: Number(t.at),
        by: t.by,
        reason: t.reason,
      })
  }
  return out
}
