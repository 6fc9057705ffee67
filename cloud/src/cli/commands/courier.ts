import { parseArgs } from 'node:util'
import { createCourier } from '../../domains/couriers/couriers.js'
import { type Command, print, UsageError, withDb } from '../context.js'

/** A number option, or a usage error naming it (Number('') is 0, Number('x') NaN: neither is meant). */
function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} expects a number, got '${raw}'`)
  return n
}

export const courierAddCommand: Command = {
  name: 'courier add',
  summary: 'add a courier working from a depot, with their shift, speed and stop times',
  usage:
    'courier add <courier> --depot <depot> [--name ...] [--phone ...] [--shift 08:00-18:00] [--speed-kmh 30] [--service-s 180] [--window-min 60] [--json]',
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        depot: { type: 'string' },
        name: { type: 'string' },
        phone: { type: 'string' },
        shift: { type: 'string' },
        'speed-kmh': { type: 'string' },
        'service-s': { type: 'string' },
        'window-min': { type: 'string' },
      },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one courier id')
    if (values.depot === undefined) throw new UsageError('--depot is required')
    const input = {
      id: positionals[0]!,
      depotId: values.depot,
      name: values.name,
      phone: values.phone,
      shift: values.shift,
      speedKmh: numberOption('speed-kmh', values['speed-kmh']),
      serviceS: numberOption('service-s', values['service-s']),
      windowMin: numberOption('window-min', values['window-min']),
    }
    const c = await withDb(ctx, (db) => createCourier(db, input))
    const hhmm = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
    const shift = `${hhmm(c.shiftStartMin)}-${hhmm(c.shiftEndMin)}`
    print(
      ctx,
      {
        courier: c.id,
        name: c.name,
        depot: c.depotId,
        phone: c.phone,
        shift,
        speedKmh: Math.round(c.speedMps * 3.6 * 100) / 100,
        serviceS: c.serviceS,
        windowMin: c.windowS / 60,
      },
      `courier ${c.id} added at depot ${c.depotId}, shift ${shift}`,
    )
    return 0
  },
}
