// Agent tags: free labels ops staff group agents by (a city, a batch, a pilot), given at provisioning or
// later with `relais agent tag`. Adding a tag twice or removing one that is not there changes nothing.
import { notFound } from '../../lib/errors.js'
import type { Db } from '../../storage/db.js'
import { normaliseTags } from './agents.js'

export async function tagsOf(db: Db, agentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('agent_tags')
    .select('tag')
    .where('agent_id', '=', agentId)
    .orderBy('tag')
    .execute()
  return rows.map((r) => r.tag)
}

/** Adds `add` and removes `remove`; returns the agent's tags after. */
export async function retagAgent(
  db: Db,
  agentId: string,
  change: { add?: string[]; remove?: string[] },
): Promise<string[]> {
  const add = normaliseTags(change.add ?? [])
  const remove = normaliseTags(change.remove ?? [])
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('agents').select('id').where('id', '=', agentId).executeTakeFirst()
    if (row === undefined) throw notFound(`agent '${agentId}'`)
    if (remove.length > 0)
      await trx.deleteFrom('agent_tags').where('agent_id', '=', agentId).where('tag', 'in', remove).execute()
    if (add.length > 0)
      await trx
        .insertInto('agent_tags')
        .values(add.map((tag) => ({ agent_id: agentId, tag })))
        .onConflict((oc) => oc.columns(['agent_id', 'tag']).doNothing())
        .execute()
  })
  return tagsOf(db, agentId)
}
