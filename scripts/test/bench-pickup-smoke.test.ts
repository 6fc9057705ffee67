// The pickup bench end to end, briefly: a few buttons, a few presses. Only that every press is acked with
// an expected outcome, the baseline answers, and the report is whole; speed is the bench's business.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { formatPickupReport, PICKUP_COLUMNS } from '../bench/pickup-report.js'
import { EXPECTED_PRESS_OUTCOMES, runPickupBench } from '../bench/pickup-run.js'

const t = suite('pickup bench smoke')

t('presses and bare round trips are all answered, and the report has every column', async () => {
  const run = await runPickupBench({ buttons: 6, sites: 3, pressesPerButton: 2, rate: 10, routeRuns: 2 })
  assert.is(run.errors, 0)
  assert.equal(run.pressAck.answered, 12)
  assert.equal(run.bare.answered, run.bare.sent)
  for (const outcome of Object.keys(run.outcomes))
    assert.ok(EXPECTED_PRESS_OUTCOMES.includes(outcome), outcome)
  assert.is(run.route.stops, 3, 'one open request per site in the live round')
  assert.is(run.route.replan?.stops, 3, "the round service's re-plan of that round is timed")
  assert.ok(run.pressScheduled && run.pressScheduled.answered > 0, 'presses are scheduled onto the round')
  const lines = formatPickupReport(run).split('\n')
  const header = lines.find((l) => l.startsWith('measure'))
  assert.ok(header, 'no table header')
  for (const c of PICKUP_COLUMNS) assert.ok(header.includes(c), `column ${c} missing`)
  const ackRow = lines.find((l) => l.startsWith('press -> ack '))
  assert.ok(ackRow, 'no press -> ack row')
  assert.is(ackRow.trim().split(/\s{2,}/).length, PICKUP_COLUMNS.length, ackRow)
  assert.ok(lines.some((l) => l.startsWith('route: the live round at 3 stops')))
})

t.run()
