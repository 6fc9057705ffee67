import { parseArgs } from 'node:util'
import { createDepot } from '../../domains/depots/depots.js'
import { type Command, print, UsageError, withDb } from '../context.js'

export const depotAddCommand: Command = {
  name: 'depot add',
  summary: 'add a depot (where couriers start and end their rounds)',
  usage: 'depot add <depot> --address "..." --lat <lat> --lon <lon> [--name ...] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        address: { type: 'string' },
        lat: { type: 'string' },
        lon: { type: 'string' },
        name: { type: 'string' },
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one depot id')
    if (values.address === undefined || values.lat === undefined || values.lon === undefined) {
      throw new UsageError('--address, --lat and --lon are required')
    }
    const d = await withDb(ctx, (db) =>
      createDepot(db, {
        id: positionals[0]!,
        name: values.name,
        address: values.address!,
        lat: Number(values.lat),
        lon: Number(values.lon),
      }),
    )
    print(
      ctx,
      { depot: d.id, name: d.name, address: d.address, lat: d.lat, lon: d.lon },
      `depot ${d.id} added at ${d.lat}, ${d.lon}`,
    )
    return 0
  },
}
