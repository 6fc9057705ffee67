// The fleet bench's chart: ack latency (p50, p99, max; ms, log scale) against the load, one point per
// fleet size, x = agents connected. Log scale because p50 and max differ by orders of magnitude.

import type { FleetResult } from './fleet-run.js'
import { Canvas, type Rgb } from './png.js'

const W = 720
const H = 440
const LEFT = 80
const RIGHT = 24
const TOP = 40
const BOTTOM = 60
const SERIES: Array<{ name: string; colour: Rgb; of: (r: FleetResult) => number }> = [
  { name: 'p50', colour: [31, 119, 180], of: (r) => r.p50Ms },
  { name: 'p99', colour: [255, 127, 14], of: (r) => r.p99Ms },
  { name: 'max', colour: [214, 39, 40], of: (r) => r.maxMs },
]
const GREY: Rgb = [200, 200, 200]
const INK: Rgb = [40, 40, 40]

/** A PNG of the results with latencies, or undefined when no scan was acked (an idle fleet). */
export function fleetChart(results: FleetResult[], rate: number): Buffer | undefined {
  const rows = results.filter((r) => Number.isFinite(r.p50Ms)).sort((a, b) => a.agents - b.agents)
  if (rows.length === 0) return undefined
  const c = new Canvas(W, H)
  const values = rows.flatMap((r) => SERIES.map((s) => s.of(r))).filter((v) => v > 0)
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...values)))
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values)))
  const xMax = Math.max(...rows.map((r) => r.agents)) * 1.1
  const px = (agents: number) => LEFT + (agents / xMax) * (W - LEFT - RIGHT)
  const py = (ms: number) =>
    H -
    BOTTOM -
    ((Math.log10(Math.max(ms, yMin)) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * (H - TOP - BOTTOM)

  // Grid and y labels at each power of ten.
  for (let v = yMin; v <= yMax * 1.0001; v *= 10) {
    c.line(LEFT, py(v), W - RIGHT, py(v), GREY)
    const label = v >= 1 ? String(v) : v.toPrecision(1)
    c.text(LEFT - 10 - label.length * 8, py(v) - 5, label, INK)
  }
  for (const r of rows) {
    c.line(px(r.agents), TOP, px(r.agents), H - BOTTOM, GREY)
    const label = String(r.agents)
    c.text(px(r.agents) - label.length * 4, H - BOTTOM + 8, label, INK)
  }
  c.line(LEFT, TOP, LEFT, H - BOTTOM, INK, 2)
  c.line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, INK, 2)
  c.text(LEFT, H - 24, `agents connected, ${rate} scans/s`, INK)
  c.text(8, 12, 'ack latency ms, log', INK)
  // Which cluster and store the points are of: a chart file may be set beside another run's.
  const { nodes, store } = rows[0]!
  c.text(W - RIGHT - 260, H - 24, `${nodes} broker node${nodes > 1 ? 's' : ''}, ${store}`, INK)

  let legendX = W - RIGHT - 210
  // Drawn largest first, so where p99 meets max the smaller series stays visible on top.
  for (const s of [...SERIES].reverse()) {
    const pts = rows.map((r) => [px(r.agents), py(s.of(r))] as const)
    for (let i = 1; i < pts.length; i++)
      c.line(pts[i - 1]![0], pts[i - 1]![1], pts[i]![0], pts[i]![1], s.colour, 2)
    for (const [x, y] of pts) c.dot(x, y, s.colour, 7)
  }
  for (const s of SERIES) {
    c.dot(legendX, 17, s.colour, 7)
    legendX += 12 + c.text(legendX + 8, 12, s.name, INK) + 16
  }
  return c.png()
}
