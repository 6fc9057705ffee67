import { parseArgs } from 'node:util'
import { addAgent } from '../../domains/agents/agents.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const agentAddCommand: Command = {
  name: 'agent add',
  summary: 'provision an edge agent; prints its MQTT username and secret once',
  usage: 'agent add <agent> (--household <household> | --site <site>) [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { household: { type: 'string' }, site: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one agent id')
    if ((values.household === undefined) === (values.site === undefined)) {
      throw new UsageError('give --household (a fridge scanner) or --site (a pickup button)')
    }
    const r = await withDb(ctx, (db) =>
      addAgent(db, { id: positionals[0]!, householdId: values.household, siteId: values.site }),
    )
    print(
      ctx,
      {
        agent: r.agent.id,
        household: r.agent.householdId,
        site: r.agent.siteId,
        username: r.username,
        secret: r.secret,
      },
      `agent ${r.agent.id} created for ${r.agent.householdId ? `household ${r.agent.householdId}` : `site ${r.agent.siteId}`}\nusername: ${r.username}\nsecret: ${r.secret}\n(shown once; only its hash is stored)`,
    )
    return 0
  },
}
