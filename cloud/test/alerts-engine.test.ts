// The alert schedule against a real database, without a broker: one raise per incident, repeats on the
// schedule, quiet hours holding repeats and new warnings (not critical alerts), acks, clears, and a
// reload (restart) that raises nothing again. The bus records what would go out over MQTT.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AlertEngine } from '../src/domains/alerts/alert-engine.js'
import type { AlertSettings } from '../src/domains/alerts/alert-settings.js'
import { alertKey, type Condition, type RuleName, SEVERITY } from '../src/domains/alerts/rules.js'
import type { MessageBus } from '../src/ingest/bus.js'
import { type Db, openDatabase } from '../src/storage/db.js'

const MIN = 60_000
const noon = Date.UTC(2026, 5, 1, 10, 0) // 12:00 in Paris
const settings: AlertSettings = {
  tickMs: 5000,
  repeatMs: 30 * MIN,
  quietHours: { fromMin: 22 * 60, toMin: 7 * 60 },
  timeZone: 'Europe/Paris',
  offlineAfterMs: 0,
  batteryLowPct: 20,
  batteryLowV: 3.4,
  batteryEmptyV: 3,
  batteryDays: 14,
  trendWindowMs: 7 * 86_400_000,
  backlogReports: 5,
  detachedGraceMs: 0,
  clockGraceMs: 0,
  authFailures: { count: 10, windowMs: 600_000 },
  rejects: { count: 20, windowMs: 600_000 },
}
const cond = (rule: RuleName, subject: string): Condition => ({
  key: alertKey(rule, subject),
  rule,
  subject,
  device: null,
  severity: SEVERITY[rule],
  message: `${rule} ${subject}`,
  details: {},
})

let dir: string
let db: Db
const published: Array<{ topic: string; payload: string }> = []
const bus: MessageBus = {
  subscribe: async () => async () => {},
  publish: async (topic, payload) => {
    published.push({ topic, payload: String(payload) })
  },
}
let kicks = 0
const engine = () =>
  new AlertEngine({ db, bus, log: pino({ level: 'silent' }), settings, webhook: { kick: () => kicks++ } })
const notices = async () =>
  (await db.selectFrom('webhook_deliveries').select('body').where('channel', '=', 'alerts').execute()).map(
    (r) => JSON.parse(r.body) as { type: string; alert: { key: string } },
  )

test.before.each(async () => {
  dir = mkdtempSync(join(tmpdir(), 'relais-alert-engine-'))
  db = await openDatabase({ dataDir: dir })
  published.length = 0
})
test.after.each(async () => {
  await db.destroy()
  rmSync(dir, { recursive: true, force: true })
})

test('raised once per incident, repeated on schedule, cleared when ok', async () => {
  const e = engine()
  await e.load()
  const c = cond('offline', 'pi-1')
  for (let t = noon; t <= noon + 65 * MIN; t += 5 * MIN) await e.reconcile([c], new Set(), t)
  const rows = await db.selectFrom('alerts').selectAll().execute()
  assert.is(rows.length, 1)
  assert.is(Number(rows[0]!.repeats), 2, 'at +30 and +60 min')
  await e.reconcile([], new Set([c.key]), noon + 70 * MIN)
  assert.equal(
    (await notices()).map((n) => n.type),
    ['alert.raised', 'alert.repeated', 'alert.repeated', 'alert.cleared'],
  )
  assert.equal(published.at(-1), { topic: 'relais/ops/alerts/offline/pi-1', payload: '' })
  await e.reconcile([c], new Set(), noon + 80 * MIN)
  assert.is((await db.selectFrom('alerts').selectAll().execute()).length, 2, 'a new incident is a new alert')
  assert.ok(kicks > 0, 'the dispatcher was woken')
})

test('quiet hours hold new warnings and repeats; critical alerts still go; held alerts go at the end', async () => {
  const e = engine()
  await e.load()
  const night = Date.UTC(2026, 5, 1, 21, 0) // 23:00 in Paris
  const morning = Date.UTC(2026, 5, 2, 5, 0) // 07:00 in Paris
  const warn = cond('battery_low', 'btn-1')
  const crit = cond('offline', 'pi-2')
  await e.reconcile([warn, crit], new Set(), night)
  assert.equal(
    (await notices()).map((n) => [n.type, n.alert.key]),
    [['alert.raised', crit.key]],
  )
  for (let t = night; t < morning; t += 10 * MIN) await e.reconcile([warn, crit], new Set(), t)
  assert.is((await notices()).length, 1, 'no repeat of the critical one either during quiet hours')
  await e.reconcile([warn, crit], new Set(), morning)
  assert.equal(
    (await notices())
      .map((n) => [n.type, n.alert.key])
      .slice(1)
      .sort(),
    [
      ['alert.raised', warn.key],
      ['alert.repeated', crit.key],
    ],
  )
})

test('a warning cleared before it was ever delivered tells nobody', async () => {
  const e = engine()
  await e.load()
  const night = Date.UTC(2026, 5, 1, 21, 0)
  const warn = cond('clock_unsynced', 'pi-3')
  await e.reconcile([warn], new Set(), night)
  await e.reconcile([], new Set([warn.key]), night + 10 * MIN)
  assert.is((await notices()).length, 0)
  assert.is(published.length, 0)
})

test('ack stops repeats, twice is harmless, a cleared alert cannot be acked', async () => {
  const e = engine()
  await e.load()
  const c = cond('device_detached', 'pi-4')
  await e.reconcile([c], new Set(), noon)
  const [row] = await db.selectFrom('alerts').select('id').execute()
  const acked = await e.ack(row!.id, 'ops:t1', noon + MIN)
  assert.equal([acked.ackedBy, acked.nextRepeatAt], ['ops:t1', null])
  assert.is((await e.ack(row!.id, 'ops:t2', noon + 2 * MIN)).ackedBy, 'ops:t1')
  for (let t = noon; t <= noon + 3 * 60 * MIN; t += 10 * MIN) await e.reconcile([c], new Set(), t)
  assert.equal(
    (await notices()).map((n) => n.type),
    ['alert.raised', 'alert.acked'],
  )
  await e.reconcile([], new Set([c.key]), noon + 200 * MIN)
  const err = await e.ack(row!.id, 'ops:t1', noon + 201 * MIN).catch((x: Error & { code?: string }) => x)
  assert.is((err as { code?: string }).code, 'conflict')
  const missing = await e.ack('nope', 'ops:t1', noon).catch((x: { code?: string }) => x)
  assert.is((missing as { code?: string }).code, 'not_found')
})

test('a reload (restart) keeps open alerts and their schedule, and raises nothing again', async () => {
  const first = engine()
  await first.load()
  const c = cond('offline', 'pi-5')
  await first.reconcile([c], new Set(), noon)
  const second = engine()
  published.length = 0
  await second.load()
  assert.equal(
    published.map((p) => [p.topic, JSON.parse(p.payload).type]),
    [['relais/ops/alerts/offline/pi-5', 'alert.raised']],
    'the retained state is published again (the broker lost it), as it was',
  )
  await second.reconcile([c], new Set(), noon + 10 * MIN)
  await second.reconcile([c], new Set(), noon + 30 * MIN)
  assert.is((await db.selectFrom('alerts').selectAll().execute()).length, 1)
  assert.equal(
    (await notices()).map((n) => n.type),
    ['alert.raised', 'alert.repeated'],
  )
})

test.run()
