// planRoute: the order in which a courier visits the stops of a round. Up to a dozen stops, the
// optimum (Held-Karp). Beyond, the better of nearest neighbour and cheapest insertion after 2-opt +
// Or-opt, then iterated local search. Deterministic: no Math.random, the kicks use a fixed seed.
import { invalid } from '../../../lib/errors.js'
import { cheapestInsertion, nearestNeighbour } from './construct.js'
import { distanceMatrix, type Metric } from './distance.js'
import { HELD_KARP_MAX, heldKarp } from './exact.js'
import { improve } from './improve.js'
import { neighbourLists } from './neighbours.js'
import { iteratedLocalSearch } from './perturb.js'
import { pathLength, pathProblem, stopsOf, tourLegs } from './tour.js'
import { type ValidPoints, validatePoints } from './validate.js'

/** Held-Karp up to here: 2^12 · 12² steps, about 5 ms; at 16 stops it is already 100 ms. */
export const EXACT_UP_TO = 12

export interface GeoPoint {
  lat: number
  lon: number
}
export interface PlanePoint {
  x: number
  y: number
}

export interface PlanOptions {
  /** The courier returns to the depot (default true); false ends the round at its last stop. */
  closed?: boolean
  /**
   * Caps the time spent on kicks (iterated local search) after the first local optimum, which is
   * always reached. Without it the planner is fully deterministic; when the cap cuts the kicks short,
   * the route can depend on the machine's speed.
   */
  timeBudgetMs?: number
  /** Kicks after the first local optimum; default: kicksFor(number of stops). */
  kicks?: number
  /** Solve exactly up to this many stops (default 12, at most 16); 0 makes tests see the heuristic. */
  exactUpTo?: number
}

export type PlanInput = PlanOptions &
  (
    | {
        metric: 'haversine'
        depot: GeoPoint & { id?: string }
        stops: readonly (GeoPoint & { id: string })[]
      }
    | {
        metric: 'euclidean'
        depot: PlanePoint & { id?: string }
        stops: readonly (PlanePoint & { id: string })[]
      }
  )

export interface RoutePlan {
  /** Stop ids in visiting order. */
  order: string[]
  /** Metres (haversine) or coordinate units (euclidean); always the sum of legs. */
  length: number
  /** legs[k] arrives at order[k]; a closed round has one more leg, back to the depot. */
  legs: number[]
  closed: boolean
}

/**
 * Enough kicks to polish a small round and a few per stop on large ones: about 2,000 kicks cost
 * 0.1-0.2 s at 1,000 stops on a small machine.
 */
export function kicksFor(stops: number): number {
  return Math.min(2000, 100 * stops)
}

export function planRoute(input: PlanInput): RoutePlan {
  return planPoints(validatePoints(input.metric, input.depot, input.stops), input.metric, input)
}

/** For callers that validated already (the CLI reads an untyped file through validatePoints). */
export function planPoints(points: ValidPoints, metric: Metric, opts: PlanOptions = {}): RoutePlan {
  const closed = opts.closed ?? true
  const exactUpTo = Math.min(opts.exactUpTo ?? EXACT_UP_TO, HELD_KARP_MAX)
  const n = points.ids.length
  if (opts.timeBudgetMs !== undefined && !(opts.timeBudgetMs >= 0)) throw invalid('timeBudgetMs must be >= 0')
  if (opts.kicks !== undefined && !(Number.isInteger(opts.kicks) && opts.kicks >= 0)) {
    throw invalid('kicks must be a whole number >= 0')
  }
  if (n === 0) return { order: [], length: 0, legs: [], closed }
  const started = performance.now()
  const matrix = distanceMatrix(points.coords, metric)
  const p = pathProblem(matrix, closed)
  let t: Int32Array
  if (n <= exactUpTo) t = heldKarp(p)
  else {
    const neighbours = neighbourLists(p)
    // Both starts, each to its local optimum: cheap, and neither construction wins every instance.
    const a = improve(p, nearestNeighbour(p), { neighbours })
    const b = improve(p, cheapestInsertion(p), { neighbours })
    t = iteratedLocalSearch(p, pathLength(p, b) < pathLength(p, a) ? b : a, {
      kicks: opts.kicks ?? kicksFor(n),
      neighbours,
      deadline: opts.timeBudgetMs === undefined ? undefined : started + opts.timeBudgetMs,
    })
  }
  const nodes = stopsOf(p, t)
  const legs = tourLegs(matrix, nodes, closed)
  return {
    order: nodes.map((node) => points.ids[node - 1]!),
    length: legs.reduce((s, x) => s + x, 0),
    legs,
    closed,
  }
}
