// Press-to-ack latency with the round service running, on a quiet cloud: one button pressed 200 times
// (request, cancel, request, ...), one press at a time, each ack awaited over real MQTT. Prints p50/p99
// of press-to-ack, and of press-to-cmd/pickup "scheduled" for the requests (that one includes the
// re-plan's settle time). Figures are printed, not asserted: the machine is shared.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startRoundsCloud } from './support/rounds.js'

const t = suite('press latency with rounds')
const PRESSES = 200

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

t('200 presses are each acked, in order, with the outcome their kind calls for', async () => {
  const rc = await startRoundsCloud()
  try {
    await rc.site('rivoli', 48.8556, 2.3601)
    const box = await rc.button('box-rivoli', 'rivoli')
    await box.press('double') // warm-up: connections, statement cache
    const ackMs: number[] = []
    const scheduledMs: number[] = []
    for (let i = 0; i < PRESSES; i++) {
      const kind = i % 2 === 0 ? 'single' : 'long'
      const sentAt = Date.now()
      const { ack, ms } = await box.timedPress(kind)
      ackMs.push(ms)
      assert.is(ack.outcome, kind === 'single' ? 'pickup_requested' : 'pickup_cancelled')
      if (kind === 'single') {
        const id = ack.pickup!.id
        const cmd = await box.waitCmd('scheduled', (p) => p?.id === id && p.state === 'scheduled')
        scheduledMs.push(cmd.at - sentAt)
      }
    }
    ackMs.sort((a, b) => a - b)
    scheduledMs.sort((a, b) => a - b)
    console.log(
      `  press->ack over ${PRESSES} presses: p50 ${pct(ackMs, 50).toFixed(1)} ms, p99 ${pct(ackMs, 99).toFixed(1)} ms, max ${ackMs.at(-1)!.toFixed(1)} ms`,
    )
    console.log(
      `  press->cmd/pickup scheduled over ${scheduledMs.length} requests: p50 ${pct(scheduledMs, 50).toFixed(0)} ms, p99 ${pct(scheduledMs, 99).toFixed(0)} ms`,
    )
    const rows = await rc.cloud.db.selectFrom('pickup_requests').select('state').execute()
    assert.is(rows.length, PRESSES / 2)
    assert.ok(rows.every((r) => r.state === 'cancelled'))
  } finally {
    await rc.stop()
  }
})

t.run()
