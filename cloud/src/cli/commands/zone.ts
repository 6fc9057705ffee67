// `relais zone add|place|token`: presence zones (a shop floor, a door), where each beacon reader stands,
// and the staff token of a zone's page (who of its opted-in members is present). A running cloud pushes
// the readers' new allow-lists at its next reconcile (domains/presence/config-publisher.ts).
import { parseArgs } from 'node:util'
import { DEFAULT_READER } from '../../domains/presence/placements.js'
import { addZone, placeReader } from '../../domains/presence/zones.js'
import { issueToken } from '../../domains/tokens/tokens.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const zoneAddCommand: Command = {
  name: 'zone add',
  summary: 'add a presence zone (where beacon readers stand and members consent)',
  usage: 'zone add <zone> [--name "..."] [--site <site>] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' }, site: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one zone id')
    const zone = await withDb(ctx, (db) =>
      addZone(db, { id: positionals[0]!, name: values.name, siteId: values.site }),
    )
    print(ctx, { zone: zone.id, name: zone.name, site: zone.siteId }, `zone ${zone.id} added (${zone.name})`)
    return 0
  },
}

export const zonePlaceCommand: Command = {
  name: 'zone place',
  summary: `place an agent's beacon reader in a zone (reader ${DEFAULT_READER} unless --reader)`,
  usage: 'zone place <agent> --zone <zone> [--reader <device>] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { zone: { type: 'string' }, reader: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one agent id')
    if (values.zone === undefined || values.zone === '') throw new UsageError('--zone is required')
    const placed = await withDb(ctx, (db) =>
      placeReader(db, { agent: positionals[0]!, device: values.reader, zone: values.zone! }),
    )
    print(ctx, placed, `reader ${placed.agent}/${placed.device} now stands in zone ${placed.zone}`)
    return 0
  },
}

export const zoneTokenCommand: Command = {
  name: 'zone token',
  summary: "issue a zone's staff token (its page of who is present); prints it once",
  usage: 'zone token <zone> [--name "..."] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one zone id')
    const t = await withDb(ctx, (db) =>
      issueToken(db, { scope: 'zone', zoneId: positionals[0]!, name: values.name }),
    )
    print(
      ctx,
      { id: t.id, scope: t.scope, zone: t.zoneId, name: t.name, token: t.token },
      `zone token ${t.id} issued for zone ${t.zoneId}\ntoken: ${t.token}\npage: /z/${t.zoneId}#token=${t.token}\n(shown once; only its hash is stored. Revoke with: relais token revoke ${t.id})`,
    )
    return 0
  },
}
