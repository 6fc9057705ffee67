import { parseArgs } from 'node:util'
import { createSite } from '../../domains/sites/sites.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const siteAddCommand: Command = {
  name: 'site add',
  summary: 'add a pickup site (an address where buttons are placed)',
  usage:
    'site add <site> --address "..." --lat <lat> --lon <lon> [--name ...] [--contact ...] [--notes ...] [--json]',
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
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one site id')
    if (values.address === undefined || values.lat === undefined || values.lon === undefined) {
      throw new UsageError('--address, --lat and --lon are required')
    }
    const site = {
      id: positionals[0]!,
      ...values,
      address: values.address,
      lat: Number(values.lat),
      lon: Number(values.lon),
    }
    await withDb(ctx, (db) => createSite(db, site))
    print(
      ctx,
      { site: site.id, lat: site.lat, lon: site.lon },
      `site ${site.id} added at ${site.lat}, ${site.lon}`,
    )
    return 0
  },
}
