// The availability rules, without a broker: grace (no flapping), silence per device class, stale wills,
// sessions per local day.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  applyInfoKinds,
  applySeen,
  applySession,
  applyStatus,
  newAvailability,
  sessionsToday,
  settle,
} from '../src/domains/availability/availability-state.js'
import { silenceTimeoutMs } from '../src/domains/availability/device-class.js'

const S = {
  graceMs: 30_000,
  timeZone: 'Europe/Paris',
  silenceMs: { scanner: 300_000, beacon: 300_000, button: 6 * 3_600_000, default: 900_000 },
}
const T = Date.UTC(2026, 5, 1, 8, 0, 0)

test('a will is declared offline only after the grace, offline since the will', () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 's1', T)
  applyStatus(r, 'offline', 's1', T + 1000)
  assert.is(settle(r, T + 30_999, S), null)
  assert.is(r.state, 'online')
  assert.is(settle(r, T + 31_000, S), 'offline')
  assert.equal([r.state, r.since, r.offlineCause], ['offline', T + 1000, 'status'])
})

test('a reconnect within the grace is a flap, not an incident; since is kept', () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 's1', T)
  applyStatus(r, 'offline', 's1', T + 1000)
  applyStatus(r, 'online', 's2', T + 20_000)
  assert.is(settle(r, T + 60_000, S), null)
  assert.equal([r.state, r.since, r.flaps], ['online', T, 1])
})

test("an older session's will after the new birth changes nothing", () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 'old', T)
  applyStatus(r, 'online', 'new', T + 10)
  applyStatus(r, 'offline', 'old', T + 20)
  assert.is(r.pendingDownAt, null)
  assert.is(settle(r, T + 60_000, S), null)
})

test('silence: minutes for a scanner, hours for a button, the shortest kind wins', () => {
  assert.is(silenceTimeoutMs(['button'], S), 6 * 3_600_000)
  assert.is(silenceTimeoutMs(['button', 'scanner'], S), 300_000)
  assert.is(silenceTimeoutMs([], S), 900_000)
  const scanner = newAvailability('s')
  applyInfoKinds(scanner, ['scanner'])
  applyStatus(scanner, 'online', 's1', T)
  const button = newAvailability('b')
  applyInfoKinds(button, ['button'])
  applyStatus(button, 'online', 's1', T)
  assert.is(settle(scanner, T + 299_999, S), null)
  assert.is(settle(scanner, T + 300_000, S), 'offline')
  assert.equal([scanner.since, scanner.offlineCause], [T, 'silence'])
  assert.is(settle(button, T + 300_000, S), null)
  assert.is(settle(button, T + 6 * 3_600_000, S), 'offline')
})

test('after a restart every agent gets its whole silence timeout to reconnect', () => {
  const r = newAvailability('a')
  applyInfoKinds(r, ['scanner'])
  applyStatus(r, 'online', 's1', T)
  const restart = T + 3_600_000 // the cloud was down an hour
  assert.is(settle(r, restart, S, restart), null)
  assert.is(settle(r, restart + 299_999, S, restart), null)
  assert.is(settle(r, restart + 300_000, S, restart), 'offline')
  assert.is(r.since, T, 'offline since its last word')
})

test('an agent declared silent that speaks again is online', () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 's1', T)
  settle(r, T + 900_000, S)
  applySeen(r, T + 950_000)
  assert.equal([r.state, r.since, r.offlineCause], ['online', T + 950_000, null])
})

test('an agent offline by its will is not revived by an old message, only by its birth', () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 's1', T)
  applyStatus(r, 'offline', 's1', T)
  settle(r, T + 30_000, S)
  applySeen(r, T + 40_000)
  assert.is(r.state, 'offline')
  applyStatus(r, 'online', 's2', T + 50_000)
  assert.equal([r.state, r.since], ['online', T + 50_000])
})

test('last seen alone is written at most once a minute', () => {
  const r = newAvailability('a')
  applyStatus(r, 'online', 's1', T)
  r.dirty = false
  r.savedSeen = T
  applySeen(r, T + 59_999)
  assert.is(r.dirty, false)
  applySeen(r, T + 60_000)
  assert.is(r.dirty, true)
})

test('sessions are counted per local day (RELAIS_TZ)', () => {
  const r = newAvailability('a')
  const lateEvening = Date.UTC(2026, 5, 1, 21, 30) // 23:30 in Paris
  applySession(r, lateEvening, S.timeZone)
  applySession(r, lateEvening + 60_000, S.timeZone)
  assert.is(sessionsToday(r, lateEvening + 120_000, S.timeZone), 2)
  const afterMidnight = Date.UTC(2026, 5, 1, 22, 30) // 00:30 the next day in Paris
  assert.is(sessionsToday(r, afterMidnight, S.timeZone), 0)
  applySession(r, afterMidnight, S.timeZone)
  assert.is(sessionsToday(r, afterMidnight, S.timeZone), 1)
})

test.run()
