// A one-dimensional Kalman filter for RSSI: the state is the true signal level (dBm), modelled as a
// random walk whose variance grows with elapsed time (processNoise, dB^2 per second), each reading being
// that level plus white noise (measurementNoise, dB^2). Readings come at uneven intervals (advertising
// intervals vary, packets get lost), which is why the prediction step scales with the gap, not per sample.

export interface KalmanOptions {
  /** How fast the true level may move: variance added per second (dB^2/s). */
  processNoise: number
  /** Variance of one reading around the true level (dB^2); a few dB of std is typical indoors. */
  measurementNoise: number
}

export interface KalmanState {
  /** Estimate (dBm). */
  x: number
  /** Variance of the estimate (dB^2). */
  p: number
  /** When the last reading was taken (ms). */
  t: number
}

/** The state after the first reading: the reading itself, as uncertain as one reading is. */
export function kalmanInit(z: number, t: number, o: KalmanOptions): KalmanState {
  return { x: z, p: o.measurementNoise, t }
}

/** Folds reading `z` taken at `t` into `s` (in place, no allocation: called per advertisement). */
export function kalmanUpdate(s: KalmanState, z: number, t: number, o: KalmanOptions): number {
  const dtS = Math.max(0, t - s.t) / 1000
  const p = s.p + o.processNoise * dtS
  const k = p / (p + o.measurementNoise)
  s.x += k * (z - s.x)
  s.p = (1 - k) * p
  s.t = t
  return s.x
}

/** Distance (m) from measured power at 1 m and an RSSI: log-distance path loss, d = 10^((m - rssi) / 10n). */
export function distanceM(measuredAt1m: number, rssi: number, pathLoss: number): number {
  const d = 10 ** ((measuredAt1m - rssi) / (10 * pathLoss))
  // The contract bounds distanceM to 0..1000 (hardware/src/kinds/beacon.ts).
  return Math.min(1000, Math.round(d * 100) / 100)
}
