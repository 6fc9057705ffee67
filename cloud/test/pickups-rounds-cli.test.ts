// relais depot add / courier add / site add --courier / site assign, through main() on a temp data dir:
// what they store, their --json lines, and that wrong input exits 2 (usage) or 1 (refused) with
// nothing changed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { databaseEnv, openTestDatabase } from './support/database.js'

const dir = mkdtempSync(join(tmpdir(), 'relais-rounds-cli-'))
const t = suite('relais depot, courier and site commands')
t.after(() => rmSync(dir, { recursive: true, force: true }))

async function relais(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: { RELAIS_DATA_DIR: dir, ...(await databaseEnv(dir)) },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main(args, ctx)
  return { code, out, err, json: out.length > 0 && args.includes('--json') ? JSON.parse(out[0]!) : undefined }
}

async function rows<T>(fn: (db: Awaited<ReturnType<typeof openTestDatabase>>) => Promise<T>): Promise<T> {
  const db = await openTestDatabase(dir)
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

t('depot add and courier add store what they print', async () => {
  const d = await relais(
    'depot',
    'add',
    'hub',
    '--address',
    '1 place du Chatelet, Paris',
    '--lat',
    '48.8579',
    '--lon',
    '2.3472',
    '--name',
    'Chatelet hub',
    '--json',
  )
  assert.is(d.code, 0)
  assert.equal(d.json, {
    depot: 'hub',
    name: 'Chatelet hub',
    address: '1 place du Chatelet, Paris',
    lat: 48.8579,
    lon: 2.3472,
  })
  const c = await relais(
    'courier',
    'add',
    'ana',
    '--depot',
    'hub',
    '--name',
    'Ana',
    '--phone',
    '+33 6 00 00 00 00',
    '--shift',
    '07:30-16:00',
    '--speed-kmh',
    '18',
    '--service-s',
    '120',
    '--window-min',
    '45',
    '--json',
  )
  assert.is(c.code, 0, c.err.join('\n'))
  assert.equal(c.json, {
    courier: 'ana',
    name: 'Ana',
    depot: 'hub',
    phone: '+33 6 00 00 00 00',
    shift: '07:30-16:00',
    speedKmh: 18,
    serviceS: 120,
    windowMin: 45,
  })
  const row = await rows((db) =>
    db.selectFrom('couriers').selectAll().where('id', '=', 'ana').executeTakeFirstOrThrow(),
  )
  assert.equal(
    [row.shift_start_min, row.shift_end_min, row.service_s, row.window_s, row.depot_id],
    [450, 960, 120, 2700, 'hub'],
  )
  assert.ok(Math.abs(row.speed_mps - 5) < 1e-9)
  const plain = await relais('courier', 'add', 'ben', '--depot', 'hub')
  assert.equal([plain.code, plain.out], [0, ['courier ben added at depot hub, shift 08:00-18:00']])
})

t('site add --courier and site assign set the courier of a site', async () => {
  const s = await relais(
    'site',
    'add',
    'rivoli',
    '--address',
    '12 rue de Rivoli',
    '--lat',
    '48.8556',
    '--lon',
    '2.3601',
    '--courier',
    'ana',
    '--json',
  )
  assert.is(s.code, 0, s.err.join('\n'))
  assert.equal(s.json, { site: 'rivoli', lat: 48.8556, lon: 2.3601, courier: 'ana' })
  const a = await relais('site', 'assign', 'rivoli', '--courier', 'ben', '--json')
  assert.equal([a.code, a.json], [0, { site: 'rivoli', courier: 'ben' }])
  assert.is(
    (await rows((db) => db.selectFrom('sites').select('courier_id').executeTakeFirstOrThrow())).courier_id,
    'ben',
  )
  const none = await relais('site', 'assign', 'rivoli', '--courier', 'none')
  assert.is(none.code, 0)
  assert.is(
    (await rows((db) => db.selectFrom('sites').select('courier_id').executeTakeFirstOrThrow())).courier_id,
    null,
  )
})

t('wrong input: usage errors exit 2, refusals exit 1 with a JSON error; nothing is stored', async () => {
  const usage = [
    ['depot', 'add', 'x', '--lat', '1', '--lon', '2'],
    ['depot', 'add', '--address', 'a', '--lat', '1', '--lon', '2'],
    ['courier', 'add', 'x'],
    ['courier', 'add', 'x', '--depot', 'hub', '--speed-kmh', 'fast'],
    ['courier', 'add', 'x', '--depot', 'hub', '--bogus'],
    ['site', 'assign', 'rivoli'],
  ]
  for (const args of usage) {
    const r = await relais(...args, '--json')
    assert.is(r.code, 2, args.join(' '))
    assert.is(r.json.error, 'usage', args.join(' '))
  }
  const refused: Array<[string[], string]> = [
    [['depot', 'add', 'hub', '--address', 'a', '--lat', '1', '--lon', '2'], 'conflict'],
    [['depot', 'add', 'far', '--address', 'a', '--lat', '91', '--lon', '2'], 'invalid_request'],
    [['depot', 'add', 'Bad_Id', '--address', 'a', '--lat', '1', '--lon', '2'], 'invalid_request'],
    [['courier', 'add', 'cat', '--depot', 'nowhere'], 'not_found'],
    [['courier', 'add', 'cat', '--depot', 'hub', '--shift', '18:00-08:00'], 'invalid_request'],
    [['courier', 'add', 'cat', '--depot', 'hub', '--shift', '8h-18h'], 'invalid_request'],
    [['courier', 'add', 'cat', '--depot', 'hub', '--speed-kmh', '0'], 'invalid_request'],
    [['courier', 'add', 'ana', '--depot', 'hub'], 'conflict'],
    [
      ['site', 'add', 'louvre', '--address', 'a', '--lat', '48.86', '--lon', '2.33', '--courier', 'zoe'],
      'not_found',
    ],
    [['site', 'assign', 'nowhere', '--courier', 'ana'], 'not_found'],
    [['site', 'assign', 'rivoli', '--courier', 'zoe'], 'not_found'],
  ]
  for (const [args, code] of refused) {
    const r = await relais(...args, '--json')
    assert.is(r.code, 1, args.join(' '))
    assert.is(r.json.error, code, args.join(' '))
  }
  const counts = await rows(async (db) => ({
    depots: (await db.selectFrom('depots').select('id').execute()).length,
    couriers: (await db.selectFrom('couriers').select('id').execute()).length,
    sites: (await db.selectFrom('sites').select('id').execute()).length,
  }))
  assert.equal(counts, { depots: 1, couriers: 2, sites: 1 })
})

t.run()
