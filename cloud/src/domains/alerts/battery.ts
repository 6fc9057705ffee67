// Battery readings and their trend. The edge's health feature reports no battery yet (mains agents have
// none); a battery agent reports `battery_pct` (0-100) or `battery_v` (volts), as numbers in its health
// (the contract's health is any named numbers). Days left come from a least-squares line over the recent
// readings, down to empty (0 % or the configured empty voltage).

export interface BatteryReading {
  unit: 'pct' | 'v'
  value: number
}

export function batteryOf(fields: Record<string, unknown> | undefined): BatteryReading | undefined {
  const pct = fields?.battery_pct
  if (typeof pct === 'number' && Number.isFinite(pct)) return { unit: 'pct', value: pct }
  const v = fields?.battery_v
  if (typeof v === 'number' && Number.isFinite(v)) return { unit: 'v', value: v }
  return undefined
}

/** Slope (units per ms) and intercept of the least-squares line through the points. */
export function linearFit(
  points: ReadonlyArray<{ at: number; value: number }>,
): { slope: number; intercept: number } | undefined {
  const n = points.length
  if (n < 2) return undefined
  const t0 = points[0]!.at // centred times keep the sums small enough for doubles
  let sx = 0
  let sy = 0
  let sxx = 0
  let sxy = 0
  for (const p of points) {
    const x = p.at - t0
    sx += x
    sy += p.value
    sxx += x * x
    sxy += x * p.value
  }
  const den = n * sxx - sx * sx
  if (den === 0) return undefined
  const slope = (n * sxy - sx * sy) / den
  return { slope, intercept: (sy - slope * sx) / n - slope * t0 }
}

/**
 * Days until the fitted line reaches `empty`, from `now`; Infinity when the level is not falling;
 * undefined when the points do not say enough (too few, or over too short a time).
 */
export function daysLeft(
  points: ReadonlyArray<{ at: number; value: number }>,
  now: number,
  empty: number,
  minSpanMs: number,
  minPoints: number,
): number | undefined {
  if (points.length < minPoints) return undefined
  if (points[points.length - 1]!.at - points[0]!.at < minSpanMs) return undefined
  const fit = linearFit(points)
  if (fit === undefined) return undefined
  if (fit.slope >= 0) return Number.POSITIVE_INFINITY
  const level = fit.slope * now + fit.intercept
  return Math.max(0, (level - empty) / -fit.slope / 86_400_000)
}
