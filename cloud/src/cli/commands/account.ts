// `relais account add | list | revoke`: integration accounts for MQTT clients that are not agents (Home
// Assistant, Telegraf, Node-RED), with MQTT wildcard patterns the broker enforces (broker/account-rules.ts).
// Quote patterns in the shell: `--read 'relais/v1/+/health'`.
import { parseArgs } from 'node:util'
import { addAccount, listAccounts, revokeAccount } from '../../domains/accounts/accounts.js'
import { type Command, print, UsageError, withDb } from '../context.js'
import { remindExport } from './broker.js'

export const accountAddCommand: Command = {
  name: 'account add',
  summary: 'create an MQTT integration account with topic patterns; prints its secret once',
  usage:
    "account add <name> [--read '<pattern>']... [--write '<pattern>']... [--deny '<pattern>']... [--json]",
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        read: { type: 'string', multiple: true },
        write: { type: 'string', multiple: true },
        deny: { type: 'string', multiple: true },
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one account name')
    const r = await withDb(ctx, (db) =>
      addAccount(db, {
        name: positionals[0]!,
        read: values.read ?? [],
        write: values.write ?? [],
        deny: values.deny ?? [],
      }),
    )
    const a = r.account
    print(
      ctx,
      { account: a.name, read: a.read, write: a.write, deny: a.deny, username: r.username, secret: r.secret },
      [
        `account ${a.name} created`,
        `read: ${a.read.join(' ') || '(nothing)'}`,
        `write: ${a.write.join(' ') || '(nothing)'}`,
        ...(a.deny.length > 0 ? [`deny: ${a.deny.join(' ')}`] : []),
        `username: ${r.username}`,
        `secret: ${r.secret}`,
        '(shown once; only its hash is stored)',
      ].join('\n'),
    )
    remindExport(ctx)
    return 0
  },
}

export const accountListCommand: Command = {
  name: 'account list',
  summary: 'list integration accounts and their patterns',
  usage: 'account list [--revoked] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { revoked: { type: 'boolean' } },
    })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    const accounts = await withDb(ctx, (db) => listAccounts(db, { revoked: values.revoked }))
    for (const a of accounts) {
      if (ctx.json) ctx.out(JSON.stringify({ account: a.name, ...a, name: undefined }))
      else
        ctx.out(
          `${a.name.padEnd(24)} ${a.revokedAt !== null ? 'revoked ' : ''}read ${a.read.join(' ') || '-'}  write ${a.write.join(' ') || '-'}${a.deny.length > 0 ? `  deny ${a.deny.join(' ')}` : ''}`,
        )
    }
    return 0
  },
}

export const accountRevokeCommand: Command = {
  name: 'account revoke',
  summary: 'revoke an integration account; a running cloud disconnects it within seconds',
  usage: 'account revoke <name> [--json]',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    if (positionals.length !== 1) throw new UsageError('give exactly one account name')
    const name = positionals[0]!
    const { revokedAt } = await withDb(ctx, (db) => revokeAccount(db, name))
    print(ctx, { account: name, revoked: true, revokedAt }, `account ${name} revoked`)
    remindExport(ctx)
    return 0
  },
}
