// Checks a depot and stops from any caller (a JSON file, a request body, the database) before any
// distance is computed. Every error is a RelaisError('invalid_request') that names the stop, so ops
// staff can find the bad line in their file.
import { invalid } from '../../../lib/errors.js'
import type { Metric } from './distance.js'

/** A 5,000-stop matrix is already 200 MB of doubles; larger rounds must be split first. */
export const MAX_STOPS = 5000
export const DEFAULT_DEPOT_ID = 'depot'

/** Checked input: coords holds (lat, lon) or (x, y) pairs, the depot's first, then the stops'. */
export interface ValidPoints {
  depotId: string
  ids: string[]
  coords: Float64Array
}

const FIELDS: Record<Metric, readonly [string, string]> = {
  haversine: ['lat', 'lon'],
  euclidean: ['x', 'y'],
}
const OTHER: Record<Metric, Metric> = { haversine: 'euclidean', euclidean: 'haversine' }

export function validatePoints(metric: Metric, depot: unknown, stops: unknown): ValidPoints {
  if (!isObject(depot)) throw invalid(`the depot must be an object with ${FIELDS[metric].join(' and ')}`)
  if (!Array.isArray(stops)) throw invalid('stops must be an array')
  if (stops.length > MAX_STOPS) throw invalid(`${stops.length} stops: at most ${MAX_STOPS} per route`)
  let depotId = DEFAULT_DEPOT_ID
  if (depot.id !== undefined) {
    if (typeof depot.id !== 'string' || depot.id === '')
      throw invalid('the depot id must be a non-empty string')
    depotId = depot.id
  }
  const coords = new Float64Array(2 * (stops.length + 1))
  readCoords(metric, depot, `depot '${depotId}'`, coords, 0)
  const ids: string[] = []
  const seen = new Map<string, number>()
  stops.forEach((stop: unknown, k) => {
    const where = `stop #${k + 1}`
    if (!isObject(stop)) throw invalid(`${where} must be an object with an id and coordinates`)
    const id = stop.id
    if (typeof id !== 'string' || id === '') throw invalid(`${where} has no id (a non-empty string)`)
    if (id === depotId) throw invalid(`stop '${id}' (${where}) has the depot's id`)
    const first = seen.get(id)
    if (first !== undefined) throw invalid(`stop id '${id}' appears twice (stops #${first} and #${k + 1})`)
    seen.set(id, k + 1)
    readCoords(metric, stop, `stop '${id}'`, coords, 2 * (k + 1))
    ids.push(id)
  })
  return { depotId, ids, coords }
}

function readCoords(
  metric: Metric,
  point: Record<string, unknown>,
  name: string,
  out: Float64Array,
  at: number,
): void {
  const [a, b] = FIELDS[metric]
  if (point[a] === undefined && point[b] === undefined) {
    const other = FIELDS[OTHER[metric]]
    // The usual mistake is the wrong metric for the file (x/y without --euclidean): say so.
    const hint = other.every((f) => point[f] !== undefined)
      ? `; its ${other.join('/')} are for the ${OTHER[metric]} metric${metric === 'haversine' ? ' (--euclidean)' : ' (without --euclidean)'}`
      : ''
    throw invalid(`${name} has no ${a}/${b}${hint}`)
  }
  const first = coordinate(point, a, name)
  const second = coordinate(point, b, name)
  if (metric === 'haversine') {
    if (first < -90 || first > 90) throw invalid(`${name}: latitude ${first} is outside -90..90`)
    if (second < -180 || second > 180) throw invalid(`${name}: longitude ${second} is outside -180..180`)
  }
  out[at] = first
  out[at + 1] = second
}

function coordinate(point: Record<string, unknown>, field: string, name: string): number {
  const v = point[field]
  if (v === undefined || v === null) throw invalid(`${name}: ${field} is missing`)
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw invalid(
      `${name}: ${field} must be a finite number, not ${typeof v === 'number' ? v : JSON.stringify(v)}`,
    )
  }
  return v
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
