import { parseArgs } from 'node:util'
import { createHousehold } from '../../domains/households/households.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const householdAddCommand: Command = {
  name: 'household add',
  summary: 'create a household with its shopping list; prints its API token once',
  usage: 'household add <household> [--name "Display name"] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one household id')
    const created = await withDb(ctx, (db) => createHousehold(db, { id: positionals[0]!, name: values.name }))
    print(
      ctx,
      {
        household: created.household.id,
        name: created.household.name,
        list: created.defaultList.id,
        token: created.token,
      },
      `household ${created.household.id} created\ntoken: ${created.token}\n(shown once; keep it: it opens the household's list)`,
    )
    return 0
  },
}
