// `relais token add (--ops | --courier <id> | --site <site>)`: an API token for ops staff, a courier's
// phone or a customer's site page, printed once (only its sha256 is stored). `relais token revoke <id>`
// ends one at once. Household tokens come with `household add`.
import { parseArgs } from 'node:util'
import { issueToken, revokeToken } from '../../domains/tokens/tokens.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const tokenAddCommand: Command = {
  name: 'token add',
  summary: 'issue an API token for ops staff, a courier or a site; prints it once',
  usage: 'token add (--ops | --courier <courier> | --site <site>) [--name "..."] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ops: { type: 'boolean' },
        courier: { type: 'string' },
        site: { type: 'string' },
        name: { type: 'string' },
      },
    })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    const given = [values.ops === true, values.courier !== undefined, values.site !== undefined]
    if (given.filter(Boolean).length !== 1)
      throw new UsageError('give exactly one of --ops, --courier or --site')
    const scope = values.ops ? 'ops' : values.courier !== undefined ? 'courier' : 'site'
    const t = await withDb(ctx, (db) =>
      issueToken(db, { scope, courierId: values.courier, siteId: values.site, name: values.name }),
    )
    const whom = t.courierId ? `courier ${t.courierId}` : t.siteId ? `site ${t.siteId}` : 'ops'
    print(
      ctx,
      { id: t.id, scope: t.scope, courier: t.courierId, site: t.siteId, name: t.name, token: t.token },
      `${t.scope} token ${t.id} issued for ${whom}\ntoken: ${t.token}\n(shown once; only its hash is stored. Revoke with: relais token revoke ${t.id})`,
    )
    return 0
  },
}

export const tokenRevokeCommand: Command = {
  name: 'token revoke',
  summary: 'revoke an API token by its id; requests with it are refused at once',
  usage: 'token revoke <token id> [--json]',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    if (positionals.length !== 1) throw new UsageError('give exactly one token id')
    const id = positionals[0]!
    await withDb(ctx, (db) => revokeToken(db, id))
    print(ctx, { id, revoked: true }, `token ${id} revoked`)
    return 0
  },
}
