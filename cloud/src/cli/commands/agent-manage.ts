// `relais agent list | tag | rotate | revoke`. The CLI writes the database only; a running cloud notices
// a rotated or revoked secret on its next credentials poll (RELAIS_CREDENTIALS_POLL_MS, 2 s by default)
// and disconnects the session that authenticated with the old one (broker/credential-watch.ts).
import { parseArgs } from 'node:util'
import { revokeAgent, rotateAgentSecret } from '../../domains/agents/agents.js'
import { retagAgent } from '../../domains/agents/tags.js'
import { listRegistry } from '../../domains/fleet/registry.js'
import { type Command, print, UsageError, withDb } from '../context.js'
import { remindExport } from './broker.js'

export const agentListCommand: Command = {
  name: 'agent list',
  summary: 'list agents with kind, placement, tags and last reported firmware',
  usage: 'agent list [--tag <tag>] [--kind <kind>] [--revoked] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { tag: { type: 'string' }, kind: { type: 'string' }, revoked: { type: 'boolean' } },
    })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    // The CLI has no live state: online, devices and outbox depth come from the HTTP API.
    const agents = await withDb(ctx, (db) =>
      listRegistry(db, undefined, { tag: values.tag, kind: values.kind, revoked: values.revoked }),
    )
    if (ctx.json) {
      for (const a of agents) {
        const { online: _o, lastSeen: _l, pending: _p, dropped: _d, devices: _v, ...stored } = a
        ctx.out(JSON.stringify(stored))
      }
      return 0
    }
    for (const a of agents) {
      const where = a.householdId ?? a.siteId ?? a.zoneId ?? '-'
      const state = a.revokedAt !== null ? 'revoked' : (a.firmwareVersion ?? 'never connected')
      ctx.out(
        `${a.agent.padEnd(24)} ${(a.kind ?? '-').padEnd(8)} ${where.padEnd(20)} ${state.padEnd(16)} ${a.tags.join(',')}`,
      )
    }
    return 0
  },
}

export const agentTagCommand: Command = {
  name: 'agent tag',
  summary: 'add tags to an agent, or remove them with --untag',
  usage: 'agent tag <agent> <tag>... [--untag] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { untag: { type: 'boolean' } },
    })
    const [agent, ...tags] = positionals
    if (agent === undefined || tags.length === 0)
      throw new UsageError('give an agent id and at least one tag')
    const after = await withDb(ctx, (db) =>
      retagAgent(db, agent, values.untag ? { remove: tags } : { add: tags }),
    )
    print(
      ctx,
      { agent, tags: after },
      `agent ${agent} tags: ${after.length > 0 ? after.join(', ') : '(none)'}`,
    )
    return 0
  },
}

export const agentRotateCommand: Command = {
  name: 'agent rotate',
  summary: "replace an agent's secret; prints the new one once, the old one stops working",
  usage: 'agent rotate <agent> [--json]',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    if (positionals.length !== 1) throw new UsageError('give exactly one agent id')
    const agent = positionals[0]!
    const { secret } = await withDb(ctx, (db) => rotateAgentSecret(db, agent))
    print(
      ctx,
      { agent, username: agent, secret },
      `agent ${agent}: new secret: ${secret}\n(shown once; the old secret no longer works, and a running cloud disconnects a session using it within seconds)`,
    )
    remindExport(ctx)
    return 0
  },
}

export const agentRevokeCommand: Command = {
  name: 'agent revoke',
  summary: 'revoke an agent for good; a running cloud disconnects it within seconds',
  usage: 'agent revoke <agent> [--json]',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    if (positionals.length !== 1) throw new UsageError('give exactly one agent id')
    const agent = positionals[0]!
    const { revokedAt } = await withDb(ctx, (db) => revokeAgent(db, agent))
    print(ctx, { agent, revoked: true, revokedAt }, `agent ${agent} revoked`)
    remindExport(ctx)
    return 0
  },
}
