// When the courier reaches each stop of a planned round: drive the legs at a steady speed and spend
// the service time at every stop before. The customer sees a window, not an instant: it is centred on
// the estimate, because traffic and service times err both ways, and never opens before the round
// starts. (A window that starts at the estimate would be late half the time the courier is early.)
import { invalid } from '../../../lib/errors.js'
import type { RoutePlan } from './plan.js'

export interface ScheduleOptions {
  /** When the courier leaves the depot, epoch ms. */
  startAt: number
  /** Average speed over the legs, metres (or units) per second. */
  speedMps: number
  /** Time spent at each stop, seconds. */
  serviceS: number
  /** Width of the ETA window, seconds. */
  windowS: number
}

export interface StopEta {
  id: string
  /** Estimated arrival, epoch ms. */
  arrival: number
  /** Arrival plus service time: when the courier leaves for the next stop. */
  departure: number
  etaWindow: { from: number; to: number }
}

export function scheduleStops(plan: Pick<RoutePlan, 'order' | 'legs'>, o: ScheduleOptions): StopEta[] {
  if (!Number.isFinite(o.startAt)) throw invalid('startAt must be epoch ms')
  if (!(o.speedMps > 0 && Number.isFinite(o.speedMps))) throw invalid('speedMps must be a positive number')
  if (!(o.serviceS >= 0 && Number.isFinite(o.serviceS))) throw invalid('serviceS must be >= 0 seconds')
  if (!(o.windowS >= 0 && Number.isFinite(o.windowS))) throw invalid('windowS must be >= 0 seconds')
  if (plan.legs.length < plan.order.length) throw invalid('the plan has fewer legs than stops')
  const half = (o.windowS * 1000) / 2
  const out: StopEta[] = []
  // Seconds since departure, summed unrounded so rounding never accumulates along the round.
  let seconds = 0
  plan.order.forEach((id, k) => {
    seconds += plan.legs[k]! / o.speedMps
    const exact = o.startAt + seconds * 1000
    const arrival = Math.round(exact)
    out.push({
      id,
      arrival,
      departure: Math.round(exact + o.serviceS * 1000),
      etaWindow: { from: Math.max(o.startAt, Math.round(exact - half)), to: Math.round(exact + half) },
    })
    seconds += o.serviceS
  })
  return out
}
