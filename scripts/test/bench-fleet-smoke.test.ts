// The fleet bench's machinery end to end, briefly: 20 agents against a cloud process over two worker
// processes, a few seconds of scans and health, the Mosquitto ceiling. Only that every column of the
// report is filled and every scan was acked; speed is the bench's business, never a test's.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fleetChart } from '../bench/fleet-chart.js'
import { COLUMNS, errorsOf, formatFleetReport } from '../bench/fleet-report.js'
import { runFleet } from '../bench/fleet-run.js'
import { findMosquitto, MOSQUITTO_INSTALL } from '../testkit/mosquitto.js'
import { serviceAvailable } from '../testkit/services.js'

const t = suite('fleet bench smoke')
// The Mosquitto ceiling fills a column; without the broker the column could not be checked.
const test = serviceAvailable('mosquitto', findMosquitto(), MOSQUITTO_INSTALL) ? t : t.skip

test('20 agents: every scan acked, every column of the report filled, a chart drawn', async () => {
  const run = await runFleet({
    agents: [20],
    rate: 40,
    seconds: 3,
    // Short enough that every agent sends health within the window.
    healthS: 1,
    nodes: 1,
    influx: false,
    workers: 2,
    settleSeconds: 0.5,
    ceilingSeconds: 1,
  })
  const [r] = run.results
  assert.ok(r)
  assert.is(errorsOf(r), 0, JSON.stringify(r))
  assert.is(r.held, 20)
  assert.ok(r.acked > 0 && r.acked === r.sent, `sent ${r.sent}, acked ${r.acked}`)

  const lines = formatFleetReport(run).split('\n')
  const header = lines.find((l) => l.trim().startsWith('agents'))
  assert.ok(header, 'no table header')
  assert.is(header.trim().split(/\s{2,}/).length, COLUMNS.length, header)
  const row = lines[lines.indexOf(header) + 1]!
  const cells = row.trim().split(/\s{2,}/)
  assert.is(cells.length, COLUMNS.length, row)
  for (const cell of cells) assert.ok(cell !== '-' && !/NaN|Infinity/.test(cell), `unfilled: ${row}`)
  assert.ok(lines.some((l) => l.startsWith('acks: every scan acked')))

  const png = fleetChart(run.results, 40)
  assert.ok(png)
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
})

t.run()
