// The courier's overview map as plain data, drawn by courier.js as inline SVG: no tile server and no
// request to anywhere, so it works on a phone that reaches nothing but the cloud. The projection is
// equirectangular with longitude scaled by cos(middle latitude): over the few kilometres of a round a
// kilometre east is then drawn as long as a kilometre north, which is all a courier needs to see the
// shape of the day. Fitted to the bounding box of the depot and the stops, aspect kept. Rounds that
// cross the antimeridian are not drawn correctly (none do: a round is one courier's day in one city).
// Pure (no DOM), so cloud/test/round-map.test.ts runs it in Node.

const round1 = (v) => Math.round(v * 10) / 10

/**
 * A projection fitted to `points` ({lat, lon}): `width` is fixed, the height follows the points' shape
 * within [minHeight, maxHeight], and the points keep `pad` pixels from every edge.
 */
export function fitProjection(points, { width = 400, minHeight = 200, maxHeight = 400, pad = 24 } = {}) {
  if (points.length === 0) throw new Error('fitProjection needs at least one point')
  let minLat = Infinity
  let maxLat = -Infinity
  let minLon = Infinity
  let maxLon = -Infinity
  for (const p of points) {
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) throw new Error('a point has no coordinates')
    minLat = Math.min(minLat, p.lat)
    maxLat = Math.max(maxLat, p.lat)
    minLon = Math.min(minLon, p.lon)
    maxLon = Math.max(maxLon, p.lon)
  }
  const midLat = (minLat + maxLat) / 2
  const midLon = (minLon + maxLon) / 2
  const k = Math.cos((midLat * Math.PI) / 180)
  const spanX = (maxLon - minLon) * k
  const spanY = maxLat - minLat
  const innerW = width - 2 * pad
  // Tall rounds get a taller map, up to maxHeight; wide ones keep minHeight and are centred.
  const wanted = spanX > 0 ? (innerW * spanY) / spanX + 2 * pad : maxHeight
  const height = Math.round(Math.min(maxHeight, Math.max(minHeight, wanted)))
  const innerH = height - 2 * pad
  // One scale for both axes (degrees of latitude to pixels); a zero span puts no limit on it.
  const scale = Math.min(spanX > 0 ? innerW / spanX : Infinity, spanY > 0 ? innerH / spanY : Infinity)
  const s = Number.isFinite(scale) ? scale : 0 // every point in one place: draw them all at the centre
  return {
    width,
    height,
    scale: s,
    project(lat, lon) {
      return { x: round1(width / 2 + (lon - midLon) * k * s), y: round1(height / 2 - (lat - midLat) * s) }
    },
  }
}

/** The number a courier reads for a stop: the API's seq is the 0-based visiting order. */
export const stopNumber = (stop) => stop.seq + 1

const pathOf = (pts) => pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ')

/**
 * The map of a RoundView (cloud/src/domains/pickups/views.ts): the depot, one marker per open stop in
 * the API's order labelled with its number (seq + 1), the route from the depot through the stops in that order, and
 * the way back to the depot apart (the page draws it dashed).
 */
export function roundMapModel(round, opts = {}) {
  const depot = round.depot
  const stops = round.stops
  const proj = fitProjection([depot, ...stops.map((s) => s.site)], opts)
  const d = proj.project(depot.lat, depot.lon)
  const markers = stops.map((s) => ({
    seq: s.seq,
    label: String(stopNumber(s)),
    requestId: s.request.id,
    name: s.site.name,
    ...proj.project(s.site.lat, s.site.lon),
  }))
  return {
    width: proj.width,
    height: proj.height,
    depot: { name: depot.name, ...d },
    stops: markers,
    route: markers.length > 0 ? pathOf([d, ...markers]) : null,
    back: markers.length > 0 ? pathOf([markers[markers.length - 1], d]) : null,
  }
}
