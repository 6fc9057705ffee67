// A health chart as inline SVG (no library, nothing fetched: the page's CSP allows only its own files):
// one line per field over the chosen range, with the range's minimum and maximum written on the axis.
// Gaps in the data (the agent was offline) break the line rather than drawing across them.

const NS = 'http://www.w3.org/2000/svg'
const W = 320
const H = 120
const PAD = { left: 56, right: 8, top: 10, bottom: 20 }

const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v))
  if (text !== undefined) node.textContent = text
  return node
}

/** `points`: [{ ts, value }] oldest first; `range`: { from, to, everyMs }. */
export function lineChart({ title, points, range, format }) {
  const figure = document.createElement('figure')
  figure.className = 'chart'
  figure.dataset.points = String(points.length)
  const caption = document.createElement('figcaption')
  caption.textContent = title
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title })
  const values = points.map((p) => p.value)
  if (values.length === 0) {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data in this range'))
    figure.append(caption, root)
    return figure
  }
  let lo = Math.min(...values)
  let hi = Math.max(...values)
  if (hi === lo) {
    hi += 1
    lo = Math.max(0, lo - 1)
  }
  const x = (ts) => PAD.left + ((ts - range.from) / (range.to - range.from)) * (W - PAD.left - PAD.right)
  const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom)
  let d = ''
  let prev = null
  const dots = []
  points.forEach((p, i) => {
    // More than two buckets without a point: a gap, not a straight line.
    const jump = prev === null || p.ts - prev > range.everyMs * 2
    const next = points[i + 1]
    const alone = jump && (next === undefined || next.ts - p.ts > range.everyMs * 2)
    const [px, py] = [x(p.ts).toFixed(1), y(p.value).toFixed(1)]
    d += `${jump ? 'M' : 'L'}${px},${py} `
    // A point with no neighbour draws no line: a dot, so one report still shows.
    if (alone) dots.push(svg('circle', { cx: px, cy: py, r: 3, class: 'dot' }))
    prev = p.ts
  })
  root.append(
    svg('line', {
      x1: PAD.left,
      y1: H - PAD.bottom,
      x2: W - PAD.right,
      y2: H - PAD.bottom,
      stroke: 'currentColor',
      'stroke-opacity': 0.3,
    }),
    svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end' }, format(hi)),
    svg('text', { x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end' }, format(lo)),
    svg('path', { d: d.trim() }),
    ...dots,
  )
  const last = points[points.length - 1]
  caption.textContent = `${title}: ${format(last.value)}`
  figure.append(caption, root)
  return figure
}
