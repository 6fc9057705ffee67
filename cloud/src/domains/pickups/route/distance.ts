// Distances between route points: great-circle (haversine) in metres for latitude/longitude, plain
// euclidean for x/y, and the full matrix the planner reads in its hot loops.

/** Mean Earth radius (IUGG, R1 = (2a + b) / 3), metres: the sphere closest to the WGS 84 ellipsoid. */
export const EARTH_RADIUS_M = 6_371_008.8

export type Metric = 'haversine' | 'euclidean'

const RAD = Math.PI / 180

/**
 * Great-circle distance in metres between two latitude/longitude points (degrees). The haversine form
 * (Sinnott 1984) stays accurate for the short hops of a courier round, where the spherical law of
 * cosines loses digits; on the sphere it differs from the ellipsoid by at most about 0.5 %.
 */
export function haversine(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD
  const dLon = (lon2 - lon1) * RAD
  const s = Math.sin(dLat / 2)
  const t = Math.sin(dLon / 2)
  const h = s * s + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * t * t
  // Rounding can push h a hair above 1 for antipodal points, where asin would return NaN.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)))
}

export function euclidean(x1: number, y1: number, x2: number, y2: number): number {
  return Math.hypot(x2 - x1, y2 - y1)
}

/** A symmetric distance matrix, row-major: `d[i * size + j]`. */
export interface DistanceMatrix {
  size: number
  d: Float64Array
}

/**
 * All pairwise distances of the points in `coords` (pairs: lat, lon or x, y). One Float64Array, so
 * the 2-opt and Or-opt loops read a distance with one multiply-add; 1,000 points take 8 MB and a few
 * milliseconds. Only the upper triangle is computed; the metric is symmetric.
 */
export function distanceMatrix(coords: Float64Array, metric: Metric): DistanceMatrix {
  const size = coords.length / 2
  const d = new Float64Array(size * size)
  if (metric === 'haversine') {
    // Radians and cos(latitude) once per point instead of once per pair.
    const lat = new Float64Array(size)
    const lon = new Float64Array(size)
    const cos = new Float64Array(size)
    for (let i = 0; i < size; i++) {
      lat[i] = coords[2 * i]! * RAD
      lon[i] = coords[2 * i + 1]! * RAD
      cos[i] = Math.cos(lat[i]!)
    }
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        const s = Math.sin((lat[j]! - lat[i]!) / 2)
        const t = Math.sin((lon[j]! - lon[i]!) / 2)
        const h = s * s + cos[i]! * cos[j]! * t * t
        const v = 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)))
        d[i * size + j] = v
        d[j * size + i] = v
      }
    }
  } else {
    for (let i = 0; i < size; i++) {
      const x = coords[2 * i]!
      const y = coords[2 * i + 1]!
      for (let j = i + 1; j < size; j++) {
        const v = Math.hypot(coords[2 * j]! - x, coords[2 * j + 1]! - y)
        d[i * size + j] = v
        d[j * size + i] = v
      }
    }
  }
  return { size, d }
}
