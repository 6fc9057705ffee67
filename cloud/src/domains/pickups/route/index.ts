// The courier route planner: what the pickups domain and the `relais route plan` command use.
export { cheapestInsertion, nearestNeighbour } from './construct.js'
export {
  type DistanceMatrix,
  distanceMatrix,
  EARTH_RADIUS_M,
  euclidean,
  haversine,
  type Metric,
} from './distance.js'
export { HELD_KARP_MAX, heldKarp } from './exact.js'
export { improve, twoOpt } from './improve.js'
export {
  EXACT_UP_TO,
  type GeoPoint,
  kicksFor,
  type PlanePoint,
  type PlanInput,
  type PlanOptions,
  planPoints,
  planRoute,
  type RoutePlan,
} from './plan.js'
export { type ScheduleOptions, type StopEta, scheduleStops } from './schedule.js'
export { type PathProblem, pathLength, pathProblem, stopsOf, tourLegs, tourLength } from './tour.js'
export { DEFAULT_DEPOT_ID, MAX_STOPS, type ValidPoints, validatePoints } from './validate.js'
