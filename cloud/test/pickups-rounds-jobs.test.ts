// serial-jobs.ts, which keeps re-plans of one courier from running at once and folds bursts together.
import { setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SerialJobs } from '../src/domains/pickups/serial-jobs.js'

const t = suite('serial jobs')

t('runs of one key never overlap; requests made during a run fold into the next one', async () => {
  const jobs = new SerialJobs(0)
  let running = 0
  let most = 0
  const runs: string[][] = []
  const run = async (items: ReadonlySet<string>) => {
    running++
    most = Math.max(most, running)
    runs.push([...items].sort())
    await sleep(20)
    running--
  }
  const first = jobs.request('ana', 'mon', run)
  await sleep(5) // the first run is working now
  const later = ['tue', 'wed', 'tue', 'thu'].map((d) => jobs.request('ana', d, run))
  await Promise.all([first, ...later])
  assert.is(most, 1)
  assert.equal(runs, [['mon'], ['thu', 'tue', 'wed']])
})

t('different keys run side by side; a failed run rejects only its own requests', async () => {
  const jobs = new SerialJobs(10)
  let running = 0
  let most = 0
  const slow = async () => {
    running++
    most = Math.max(most, running)
    await sleep(30)
    running--
  }
  const failing = jobs
    .request('ben', 'mon', async () => {
      throw new Error('db down')
    })
    .then(
      () => 'resolved',
      (err: Error) => err.message,
    )
  await Promise.all([jobs.request('ana', 'mon', slow), jobs.request('cat', 'mon', slow)])
  assert.is(most, 2)
  assert.is(await failing, 'db down')
  // The key recovers: the next request runs.
  let ran = false
  await jobs.request('ben', 'tue', async () => {
    ran = true
  })
  assert.ok(ran)
  await jobs.stop()
  await jobs.request('ben', 'wed', async () => assert.unreachable('no run after stop'))
})

t.run()
