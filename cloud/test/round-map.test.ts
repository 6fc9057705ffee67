// The courier page's overview map (static/round-map.js, a plain browser module run here in Node): the
// projection keeps distances true east-west against north-south at the round's latitude, fits the
// bounding box inside the padding, and the model has one marker per stop in the API's order.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { RoundView, StopView } from '../src/domains/pickups/views.js'

interface Point {
  x: number
  y: number
}
interface RoundMapModule {
  fitProjection(
    points: Array<{ lat: number; lon: number }>,
    opts?: { width?: number; minHeight?: number; maxHeight?: number; pad?: number },
  ): { width: number; height: number; scale: number; project(lat: number, lon: number): Point }
  roundMapModel(round: Pick<RoundView, 'depot' | 'stops'>): {
    width: number
    height: number
    depot: Point & { name: string }
    stops: Array<Point & { seq: number; label: string; requestId: string; name: string }>
    route: string | null
    back: string | null
  }
}

// A .js file with no types: loaded by URL, typed by the interface above.
const m: RoundMapModule = await import(new URL('../src/http/static/round-map.js', import.meta.url).href)

const t = suite('courier map: projection and model')
const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y)

t('a kilometre east is drawn as long as a kilometre north at the round latitude', () => {
  const lat = 48.8566
  const dLat = 1 / 111.2 // about 1 km of latitude, in degrees
  const dLon = dLat / Math.cos((lat * Math.PI) / 180) // about 1 km of longitude there
  const p = m.fitProjection([
    { lat, lon: 2.35 },
    { lat: lat + dLat, lon: 2.35 },
    { lat, lon: 2.35 + dLon },
  ])
  const o = p.project(lat, 2.35)
  const north = p.project(lat + dLat, 2.35)
  const east = p.project(lat, 2.35 + dLon)
  assert.ok(Math.abs(dist(o, north) - dist(o, east)) < 1, `${dist(o, north)} vs ${dist(o, east)}`)
  assert.ok(north.y < o.y, 'north is up')
  assert.ok(east.x > o.x, 'east is right')
})

t('fits the bounding box inside the padding, filling one axis, aspect kept', () => {
  const pts = [
    { lat: 48.8, lon: 2.25 },
    { lat: 48.9, lon: 2.42 },
    { lat: 48.85, lon: 2.3 },
  ]
  const p = m.fitProjection(pts, { width: 400, pad: 20, minHeight: 100, maxHeight: 600 })
  const xy = pts.map((q) => p.project(q.lat, q.lon))
  for (const q of xy) {
    assert.ok(q.x >= 19.9 && q.x <= 380.1, `x ${q.x}`)
    assert.ok(q.y >= 19.9 && q.y <= p.height - 19.9, `y ${q.y}`)
  }
  const xs = xy.map((q) => q.x)
  const ys = xy.map((q) => q.y)
  const spanX = Math.max(...xs) - Math.min(...xs)
  const spanY = Math.max(...ys) - Math.min(...ys)
  assert.ok(Math.abs(spanX - 360) < 0.5 || Math.abs(spanY - (p.height - 40)) < 0.5, 'one axis is filled')
  const k = Math.cos((48.85 * Math.PI) / 180)
  assert.ok(Math.abs(spanX / spanY - (0.17 * k) / 0.1) < 0.02, `aspect ${spanX / spanY}`)
})

t('keeps the height within its bounds and centres a single place', () => {
  const wide = m.fitProjection(
    [
      { lat: 48.85, lon: 2.2 },
      { lat: 48.8501, lon: 2.5 },
    ],
    { minHeight: 200, maxHeight: 400 },
  )
  assert.is(wide.height, 200)
  const tall = m.fitProjection(
    [
      { lat: 48.7, lon: 2.35 },
      { lat: 49.0, lon: 2.3501 },
    ],
    { minHeight: 200, maxHeight: 400 },
  )
  assert.is(tall.height, 400)
  const one = m.fitProjection([
    { lat: 48.85, lon: 2.35 },
    { lat: 48.85, lon: 2.35 },
  ])
  assert.equal(one.project(48.85, 2.35), { x: one.width / 2, y: one.height / 2 })
  assert.throws(() => m.fitProjection([]), /at least one point/)
  assert.throws(() => m.fitProjection([{ lat: Number.NaN, lon: 2 }]), /no coordinates/)
})

function stop(seq: number, id: string, lat: number, lon: number): StopView {
  const site = { id, name: `Site ${id}`, address: `${seq} rue X`, lat, lon, notes: null, contact: null }
  return {
    seq,
    arrival: 0,
    window: { from: 0, to: 1 },
    mapUrl: 'https://www.openstreetmap.org/',
    site: { ...site, courierId: 'c1' },
    request: {
      id: `req-${id}`,
      siteId: id,
      agentId: 'a',
      deviceId: 'button',
      state: 'scheduled',
      requestedAt: 0,
      updatedAt: 0,
      window: { from: 0, to: 1 },
      reason: null,
      roundId: 'r1',
    },
  }
}

t('the model: the depot, one marker per stop in the API order, the route through them in order', () => {
  const depot = { id: 'd', name: 'Depot', address: 'x', lat: 48.85, lon: 2.35 }
  // The API's order, not sorted by anything the page could recompute.
  const stops = [stop(3, 'c', 48.87, 2.3), stop(4, 'a', 48.83, 2.38), stop(5, 'b', 48.86, 2.4)]
  const model = m.roundMapModel({ depot, stops })
  assert.equal(
    model.stops.map((s) => [s.seq, s.label, s.requestId]),
    [
      [3, '4', 'req-c'],
      [4, '5', 'req-a'],
      [5, '6', 'req-b'],
    ],
    'labels count from 1: seq is the 0-based visiting order',
  )
  const pts = [model.depot, ...model.stops].map((p) => `${p.x} ${p.y}`)
  assert.is(model.route, `M${pts[0]} L${pts[1]} L${pts[2]} L${pts[3]}`)
  assert.is(model.back, `M${pts[3]} L${pts[0]}`)
  const west = model.stops.find((s) => s.seq === 3)!
  const east = model.stops.find((s) => s.seq === 5)!
  assert.ok(west.x < model.depot.x && model.depot.x < east.x)

  const empty = m.roundMapModel({ depot, stops: [] })
  assert.equal([empty.stops.length, empty.route, empty.back], [0, null, null])
  assert.equal([empty.depot.x, empty.depot.y], [empty.width / 2, empty.height / 2])
})

t.run()
