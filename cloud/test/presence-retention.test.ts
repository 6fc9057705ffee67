// Presence retention: sessions that ended before RELAIS_PRESENCE_RETENTION_DAYS go with their points,
// sessions open longer than RELAIS_PRESENCE_MAX_OPEN_H are closed as stale, and a failing pass is logged
// and retried at the next run. The job runs on a clock of the test's.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig } from '../src/app/config.js'
import { PresenceRetention } from '../src/domains/presence/retention.js'
import type { Db } from '../src/storage/db.js'
import type { SeriesDelete } from '../src/timeseries/sink.js'
import { openTestDatabase } from './support/database.js'

const DAY = 86_400_000
const HOUR = 3_600_000
const NOW = Date.UTC(2026, 5, 1, 12)
const log = pino({ level: 'silent' })
const t = suite<{ db: Db; dir: string }>('presence retention')

t.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'relais-retention-'))
  ctx.db = await openTestDatabase(ctx.dir)
})
t.after(async (ctx) => {
  await ctx.db.destroy()
  rmSync(ctx.dir, { recursive: true, force: true })
})

async function session(db: Db, id: string, enteredAt: number, leftAt: number | null) {
  await db
    .insertInto('presence_sessions')
    .values({
      id,
      member_id: 'm-1',
      beacon_key: 'k',
      zone_id: 'shop-door',
      agent_id: 'door-pi',
      device_id: 'ble-0',
      entered_at: enteredAt,
      left_at: leftAt,
      leave_reason: leftAt === null ? null : 'timeout',
    })
    .execute()
}

t('RELAIS_PRESENCE_RETENTION_DAYS and RELAIS_PRESENCE_MAX_OPEN_H: defaults, overrides, errors', () => {
  assert.equal(loadConfig({}).presence, { retentionDays: 30, maxOpenH: 12 })
  assert.equal(
    loadConfig({ RELAIS_PRESENCE_RETENTION_DAYS: '7', RELAIS_PRESENCE_MAX_OPEN_H: '2' }).presence,
    { retentionDays: 7, maxOpenH: 2 },
  )
  assert.throws(
    () => loadConfig({ RELAIS_PRESENCE_RETENTION_DAYS: '0', RELAIS_PRESENCE_MAX_OPEN_H: 'x' }),
    (err: Error) =>
      /RELAIS_PRESENCE_RETENTION_DAYS=0/.test(err.message) &&
      /RELAIS_PRESENCE_MAX_OPEN_H=x/.test(err.message),
  )
})

t('deletes old sessions and their points, closes stale ones, keeps the rest', async ({ db }) => {
  await session(db, 'old', NOW - 40 * DAY, NOW - 40 * DAY + HOUR)
  await session(db, 'recent', NOW - 2 * DAY, NOW - 2 * DAY + HOUR)
  await session(db, 'stale', NOW - 13 * HOUR, null)
  await session(db, 'open', NOW - HOUR, null)
  const deletions: SeriesDelete[] = []
  const job = new PresenceRetention({
    db,
    log,
    series: { delete: async (d) => void deletions.push(d) },
    retentionDays: 30,
    maxOpenH: 12,
    now: () => NOW,
  })
  assert.equal(await job.runOnce(), { closed: 1, deleted: 1, pointsDeleted: true })
  const rows = await db
    .selectFrom('presence_sessions')
    .select(['id', 'left_at', 'leave_reason'])
    .orderBy('id')
    .execute()
  assert.equal(
    rows.map((r) => [r.id, r.left_at === null ? null : Number(r.left_at), r.leave_reason]),
    [
      ['open', null, null],
      ['recent', NOW - 2 * DAY + HOUR, 'timeout'],
      ['stale', NOW, 'stale'],
    ],
  )
  assert.equal(deletions, [{ measurements: ['enter', 'leave'], before: NOW - 30 * DAY }])
})

t('a failing time series or database is logged; the next run goes on', async ({ db }) => {
  const lines: string[] = []
  const capture = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) })
  let fail = true
  const job = new PresenceRetention({
    db,
    log: capture,
    series: {
      delete: async () => {
        if (fail) throw new Error('influx down')
      },
    },
    retentionDays: 30,
    maxOpenH: 12,
    now: () => NOW,
  })
  assert.equal(await job.runOnce(), { closed: 0, deleted: 0, pointsDeleted: false })
  assert.ok(lines.some((l) => l.includes('old presence points not deleted')))
  fail = false
  assert.equal(await job.runOnce(), { closed: 0, deleted: 0, pointsDeleted: true })

  const broken = new PresenceRetention({ db: {} as Db, log: capture, retentionDays: 30, maxOpenH: 12 })
  assert.is(await broken.runOnce(), undefined, 'a pass that throws resolves; it never rejects')
  assert.ok(lines.some((l) => l.includes('presence retention failed')))
})

t.run()
