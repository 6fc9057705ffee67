// Bad input never reaches the planner: each mistake is a RelaisError('invalid_request') whose message
// names the stop, so the person who wrote the file can find it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { MAX_STOPS, type PlanInput, planRoute, scheduleStops } from '../src/domains/pickups/route/index.js'
import { RelaisError } from '../src/lib/errors.js'

const t = suite('route validation')

function rejects(fn: () => unknown, message: RegExp) {
  try {
    fn()
  } catch (err) {
    assert.instance(err, RelaisError)
    assert.is((err as RelaisError).code, 'invalid_request')
    assert.match((err as RelaisError).message, message)
    return
  }
  assert.unreachable(`expected an error matching ${message}`)
}

/** planRoute with input as a JSON file could hold it, whatever the types say. */
const plan = (value: Record<string, unknown>) =>
  planRoute({ metric: 'haversine', depot: { lat: 48.85, lon: 2.35 }, stops: [], ...value } as PlanInput)
const stop = (id: string, more: Record<string, unknown> = {}) => ({ id, lat: 48.86, lon: 2.34, ...more })

t('a duplicate id names the id and both stops', () => {
  rejects(
    () => plan({ stops: [stop('a'), stop('b'), stop('a')] }),
    /stop id 'a' appears twice \(stops #1 and #3\)/,
  )
})

t('a stop with the depot id, or without an id', () => {
  rejects(() => plan({ stops: [stop('depot')] }), /stop 'depot' \(stop #1\) has the depot's id/)
  rejects(() => plan({ depot: { id: 'hub', lat: 1, lon: 1 }, stops: [stop('hub')] }), /'hub'.*depot's id/)
  rejects(() => plan({ stops: [stop('a'), { lat: 1, lon: 1 }] }), /stop #2 has no id/)
  rejects(() => plan({ stops: [{ id: 7, lat: 1, lon: 1 }] }), /stop #1 has no id/)
  rejects(() => plan({ stops: [{ id: '', lat: 1, lon: 1 }] }), /stop #1 has no id/)
})

t('missing, NaN, infinite or non-numeric coordinates', () => {
  rejects(() => plan({ stops: [stop('a'), { id: 'b', lat: 48.8 }] }), /stop 'b': lon is missing/)
  rejects(
    () => plan({ stops: [stop('a', { lat: Number.NaN })] }),
    /stop 'a': lat must be a finite number, not NaN/,
  )
  rejects(
    () => plan({ stops: [stop('a', { lon: Number.POSITIVE_INFINITY })] }),
    /stop 'a': lon must be a finite/,
  )
  rejects(
    () => plan({ stops: [stop('a', { lat: '48.8' })] }),
    /stop 'a': lat must be a finite number, not "48.8"/,
  )
  rejects(() => plan({ stops: [{ id: 'c' }] }), /stop 'c' has no lat\/lon$/)
  rejects(() => plan({ depot: { lon: 2 } }), /depot 'depot': lat is missing/)
})

t('latitude outside ±90 and longitude outside ±180', () => {
  rejects(() => plan({ stops: [stop('a', { lat: 90.5 })] }), /stop 'a': latitude 90.5 is outside -90..90/)
  rejects(() => plan({ stops: [stop('a', { lat: -91 })] }), /latitude -91/)
  rejects(
    () => plan({ stops: [stop('b', { lon: 180.01 })] }),
    /stop 'b': longitude 180.01 is outside -180..180/,
  )
  rejects(() => plan({ depot: { lat: 0, lon: -200 } }), /depot 'depot': longitude -200/)
  // The edges themselves are fine.
  assert.is(
    plan({ stops: [stop('a', { lat: 90, lon: 180 }), stop('b', { lat: -90, lon: -180 })] }).order.length,
    2,
  )
})

t('x/y given to the haversine metric, or lat/lon to the euclidean one, says which metric they need', () => {
  rejects(
    () => plan({ stops: [{ id: 'a', x: 1, y: 2 }] }),
    /stop 'a' has no lat\/lon; its x\/y are for the euclidean/,
  )
  rejects(
    () => planRoute({ metric: 'euclidean', depot: { lat: 1, lon: 2 }, stops: [] } as unknown as PlanInput),
    /depot 'depot' has no x\/y; its lat\/lon are for the haversine metric/,
  )
  // Euclidean coordinates have no range.
  const far = planRoute({ metric: 'euclidean', depot: { x: 0, y: 0 }, stops: [{ id: 'a', x: 1e6, y: -500 }] })
  assert.equal(far.order, ['a'])
})

t('the shape: stops not a list, depot not an object, too many stops', () => {
  rejects(() => plan({ stops: { a: 1 } }), /stops must be an array/)
  rejects(() => plan({ depot: null }), /the depot must be an object with lat and lon/)
  rejects(() => plan({ stops: [stop('a'), 'b'] }), /stop #2 must be an object/)
  const many = Array.from({ length: MAX_STOPS + 1 }, (_, k) => stop(`s${k}`))
  rejects(() => plan({ stops: many }), /5001 stops: at most 5000 per route/)
})

t('planner and schedule options', () => {
  rejects(() => plan({ stops: [stop('a')], timeBudgetMs: -1 }), /timeBudgetMs/)
  rejects(() => plan({ stops: [stop('a')], kicks: 1.5 }), /kicks/)
  const p = { order: ['a'], legs: [100, 100] }
  const ok = { startAt: 0, speedMps: 10, serviceS: 60, windowS: 600 }
  rejects(() => scheduleStops(p, { ...ok, speedMps: 0 }), /speedMps/)
  rejects(() => scheduleStops(p, { ...ok, serviceS: -1 }), /serviceS/)
  rejects(() => scheduleStops(p, { ...ok, windowS: Number.NaN }), /windowS/)
  rejects(() => scheduleStops(p, { ...ok, startAt: Number.NaN }), /startAt/)
  rejects(() => scheduleStops({ order: ['a', 'b'], legs: [1] }, ok), /fewer legs/)
})

t.run()
