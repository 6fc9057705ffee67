import { parseArgs } from 'node:util'
import { assignSiteCourier } from '../../domains/couriers/couriers.js'
import { createSite } from '../../domains/sites/sites.js'
import { notFound } from '../../lib/errors.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const siteAddCommand: Command = {
  name: 'site add',
  summary: 'add a pickup site (an address where buttons are placed)',
  usage:
    'site add <site> --address "..." --lat <lat> --lon <lon> [--name ...] [--contact ...] [--notes ...] [--courier <courier>] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        address: { type: 'string' },
        lat: { type: 'string' },
        lon: { type: 'string' },
        name: { type: 'string' },
        contact: { type: 'string' },
        notes: { type: 'string' },
        courier: { type: 'string' },
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one site id')
    if (values.address === undefined || values.lat === undefined || values.lon === undefined) {
      throw new UsageError('--address, --lat and --lon are required')
    }
    const { courier, ...rest } = values
    const site = {
      id: positionals[0]!,
      ...rest,
      address: values.address,
      lat: Number(values.lat),
      lon: Number(values.lon),
    }
    await withDb(ctx, async (db) => {
      // Checked first, so an unknown courier leaves no site behind.
      if (courier !== undefined) {
        const c = await db.selectFrom('couriers').select('id').where('id', '=', courier).executeTakeFirst()
        if (!c) throw notFound(`courier '${courier}'`)
      }
      await createSite(db, site)
      if (courier !== undefined) await assignSiteCourier(db, site.id, courier)
    })
    print(
      ctx,
      { site: site.id, lat: site.lat, lon: site.lon, courier: courier ?? null },
      `site ${site.id} added at ${site.lat}, ${site.lon}${courier ? `, collected by ${courier}` : ''}`,
    )
    return 0
  },
}

export const siteAssignCommand: Command = {
  name: 'site assign',
  summary: "set the courier who collects at a site (--courier none: the nearest depot's courier)",
  usage: 'site assign <site> --courier <courier|none> [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { courier: { type: 'string' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one site id')
    if (values.courier === undefined || values.courier === '') throw new UsageError('--courier is required')
    const courier = values.courier === 'none' ? null : values.courier
    await withDb(ctx, (db) => assignSiteCourier(db, positionals[0]!, courier))
    print(
      ctx,
      { site: positionals[0], courier },
      courier === null
        ? `site ${positionals[0]} now goes to the courier of the nearest depot`
        : `site ${positionals[0]} is now collected by ${courier}`,
    )
    return 0
  },
}
