// LogThrottle (lib/log-throttle.ts): one line per key and interval, saying how many were not logged; a
// bounded number of keys, the oldest forgotten first.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogThrottle } from '../src/lib/log-throttle.js'

test('one line per key an interval, then the count of those dropped', () => {
  const t = new LogThrottle(60_000)
  assert.equal(t.take('a', 0), { log: true, sinceLastLogged: undefined })
  for (let i = 1; i <= 5; i++) assert.equal(t.take('a', i * 1000), { log: false })
  assert.equal(t.take('b', 6000), { log: true, sinceLastLogged: undefined }, 'keys are apart')
  assert.equal(t.take('a', 59_999), { log: false })
  assert.equal(t.take('a', 60_000), { log: true, sinceLastLogged: 6 })
  assert.equal(t.take('a', 60_001), { log: false })
})

test('past maxKeys the oldest key is forgotten, and logged again', () => {
  const t = new LogThrottle(60_000, 2)
  t.take('a', 0)
  t.take('b', 1)
  t.take('a', 2)
  t.take('c', 3)
  assert.equal(t.take('b', 4), { log: false }, 'b, then c, are kept')
  assert.equal(t.take('c', 5), { log: false })
  assert.equal(
    t.take('a', 6),
    { log: true, sinceLastLogged: undefined },
    'a was logged longest ago (a line dropped since does not renew it)',
  )
})

test.run()
