// `relais route plan <file.json>`: orders a depot's stops into a courier round, so ops staff can check
// a round by hand or plan one without the database. Reads the file only; writes nothing.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { type Metric, planPoints, type RoutePlan, validatePoints } from '../../domains/pickups/route/index.js'
import { invalid, notFound } from '../../lib/errors.js'
import { type Command, print, UsageError } from '../context.js'

export const routePlanCommand: Command = {
  name: 'route plan',
  summary: 'order a depot and stops (JSON file) into a courier round; prints the order and its length',
  usage: 'route plan <file.json> [--euclidean] [--open] [--json]',
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { euclidean: { type: 'boolean' }, open: { type: 'boolean' } },
    })
    if (positionals.length !== 1) throw new UsageError('give exactly one route file')
    const file = positionals[0]!
    const metric: Metric = values.euclidean ? 'euclidean' : 'haversine'
    const content = await readRouteFile(file)

    const started = performance.now()
    const points = validatePoints(metric, content.depot, content.stops)
    const plan = planPoints(points, metric, { closed: !values.open })
    const ms = Math.round((performance.now() - started) * 10) / 10

    const unit = metric === 'haversine' ? 'm' : 'units'
    const json = { order: plan.order, length: plan.length, unit, stops: plan.order.length, ms }
    print(ctx, json, table(plan, points.depotId, metric, ms))
    return 0
  },
}

async function readRouteFile(file: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`file ${file}`)
    throw invalid(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw invalid(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${file} must hold an object: { "depot": {...}, "stops": [...] }`)
  }
  return value as Record<string, unknown>
}

/** The round as ops staff read it: each stop with its leg and the distance so far. */
function table(plan: RoutePlan, depotId: string, metric: Metric, ms: number): string {
  const km = metric === 'haversine'
  const unit = km ? 'km' : 'units'
  const fmt = (x: number) => (km ? (x / 1000).toFixed(2) : x.toFixed(3))
  const kind = plan.closed ? 'closed round (back to the depot)' : 'open round (ends at the last stop)'
  const head = `${plan.order.length} stops from '${depotId}', ${kind}: ${fmt(plan.length)} ${unit}, planned in ${ms} ms`
  if (plan.order.length === 0) return head
  const rows = plan.order.map((id, k) => [String(k + 1), id])
  if (plan.closed) rows.push(['', depotId])
  const idWidth = Math.max(4, ...rows.map((r) => r[1]!.length))
  const lines = [
    head,
    `${'#'.padStart(4)}  ${'stop'.padEnd(idWidth)}  ${`leg ${unit}`.padStart(12)}  ${`total ${unit}`.padStart(12)}`,
  ]
  let total = 0
  rows.forEach(([n, id], k) => {
    total += plan.legs[k]!
    lines.push(
      `${n!.padStart(4)}  ${id!.padEnd(idWidth)}  ${fmt(plan.legs[k]!).padStart(12)}  ${fmt(total).padStart(12)}`,
    )
  })
  return lines.join('\n')
}
