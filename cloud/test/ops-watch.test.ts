// The ops stream's source (ops-watch.ts): an agent is announced when the fleet state says something
// visible changed, when availability declares it otherwise, and when one of its alerts is raised,
// acknowledged or cleared: the last three change on the evaluator's clock without an event of their own.
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Alert } from '../src/domains/alerts/alert-store.js'
import { type AgentAvailability, newAvailability } from '../src/domains/availability/availability-state.js'
import type { AvailabilityReader } from '../src/domains/availability/availability-tracker.js'
import { FleetEvents } from '../src/domains/fleet/fleet-events.js'
import { OpsWatch } from '../src/domains/fleet/ops-watch.js'

const test = suite('ops watch')
// The watch's timer is unref'd (it must not hold a cloud open); this keeps the test's process alive.
let keep: NodeJS.Timeout
test.before.each(() => {
  keep = setInterval(() => {}, 1000)
})
test.after.each(() => clearInterval(keep))

function setup() {
  const records = new Map<string, AgentAvailability>()
  for (const id of ['pi-1', 'pi-2']) records.set(id, { ...newAvailability(id), state: 'online', since: 1 })
  const availability = {
    get: (a: string) => records.get(a),
    all: () => records.values(),
    settings: {} as AvailabilityReader['settings'],
  } as AvailabilityReader
  const alerts: Alert[] = []
  const fleetEvents = new FleetEvents()
  const watch = new OpsWatch({
    fleetEvents,
    availability,
    openAlerts: () => alerts,
    log: pino({ level: 'silent' }),
    everyMs: 5,
  })
  const next = () => new Promise<string>((resolve) => watch.once('agent', (e) => resolve(e.agent)))
  watch.start()
  return { records, alerts, fleetEvents, watch, next }
}

test('a fleet state change is passed on at once', async () => {
  const s = setup()
  const got = s.next()
  s.fleetEvents.emit('change', { agent: 'pi-2', householdId: null })
  assert.is(await got, 'pi-2')
  s.watch.stop()
})

test('availability declaring an agent offline is announced', async () => {
  const s = setup()
  const got = s.next()
  const r = s.records.get('pi-1')!
  r.state = 'offline'
  r.since = 2
  assert.is(await got, 'pi-1')
  s.watch.stop()
})

test('an alert raised, then acknowledged, is announced each time', async () => {
  const s = setup()
  const alert = { id: 'a1', subject: 'pi-2', ackedAt: null } as unknown as Alert
  let got = s.next()
  s.alerts.push(alert)
  assert.is(await got, 'pi-2')
  got = s.next()
  s.alerts[0] = { ...alert, ackedAt: 5 }
  assert.is(await got, 'pi-2')
  got = s.next()
  s.alerts.pop()
  assert.is(await got, 'pi-2')
  s.watch.stop()
})

test.run()
