// `relais zone add|place|token`: zones stored as given, readers placed (ble-0 unless --reader), a zone's
// staff token printed once and stored hashed; unknown ids exit 1 with their code, usage errors exit 2,
// and nothing changes on a refusal.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { addAgent } from '../src/domains/agents/agents.js'
import { readerSections } from '../src/domains/presence/allow-list.js'
import { readerPlacements } from '../src/domains/presence/placements.js'
import { findToken } from '../src/domains/tokens/tokens.js'
import type { Db } from '../src/storage/db.js'
import { databaseEnv, openTestDatabase } from './support/database.js'

let tmp: string
async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: { RELAIS_DATA_DIR: tmp, ...(await databaseEnv(tmp)) },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main(args, ctx)
  return { code, out, err, json: () => JSON.parse(out[0] ?? 'null') }
}
async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openTestDatabase(tmp)
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

const t = suite('relais zone')
t.before.each(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-zone-cli-'))
})
t.after.each(() => rmSync(tmp, { recursive: true, force: true }))

t('zone add stores the zone; a second add of the same id is a conflict', async () => {
  const r = await run('zone', 'add', 'shop-door', '--name', 'Shop door', '--json')
  assert.is(r.code, 0, r.err.join('\n'))
  assert.equal(r.json(), { zone: 'shop-door', name: 'Shop door', site: null })
  const again = await run('zone', 'add', 'shop-door', '--json')
  assert.equal([again.code, again.json().error], [1, 'conflict'])
  const bad = await run('zone', 'add', 'Shop Door')
  assert.is(bad.code, 1)
  assert.is((await run('zone', 'add')).code, 2)
  const rows = await withDb((db) => db.selectFrom('zones').selectAll().execute())
  assert.equal(
    rows.map((z) => [z.id, z.name, z.site_id]),
    [['shop-door', 'Shop door', null]],
  )
})

t('zone place puts a reader in a zone, and moves it', async () => {
  await run('zone', 'add', 'shop-door')
  await run('zone', 'add', 'back-office')
  const unknown = await run('zone', 'place', 'door-pi', '--zone', 'shop-door', '--json')
  assert.equal([unknown.code, unknown.json().error], [1, 'not_found'])
  await withDb((db) => addAgent(db, { id: 'door-pi', zoneId: 'shop-door' }))
  const placed = await run('zone', 'place', 'door-pi', '--zone', 'shop-door', '--json')
  assert.is(placed.code, 0, placed.err.join('\n'))
  assert.equal(placed.json(), { agent: 'door-pi', device: 'ble-0', zone: 'shop-door' })
  assert.is((await run('zone', 'place', 'door-pi', '--zone', 'back-office', '--reader', 'ble-1')).code, 0)
  assert.is((await run('zone', 'place', 'door-pi', '--zone', 'back-office')).code, 0)
  assert.equal(
    (await run('zone', 'place', 'door-pi', '--zone', 'nowhere', '--json')).json().error,
    'not_found',
  )
  assert.is((await run('zone', 'place', 'door-pi')).code, 2)
  const rows = await withDb((db) =>
    db
      .selectFrom('reader_placements')
      .select(['agent_id', 'device_id', 'zone_id'])
      .orderBy('device_id')
      .execute(),
  )
  assert.equal(
    rows.map((r) => [r.agent_id, r.device_id, r.zone_id]),
    [
      ['door-pi', 'ble-0', 'back-office'],
      ['door-pi', 'ble-1', 'back-office'],
    ],
  )
})

t("agent add --zone places the agent's reader ble-0; its allow-list names that zone", async () => {
  await run('zone', 'add', 'shop-door')
  const r = await run('agent', 'add', 'door-pi', '--zone', 'shop-door', '--json')
  assert.is(r.code, 0, r.err.join('\n'))
  await withDb(async (db) => {
    assert.equal(await readerPlacements(db), [{ agent: 'door-pi', device: 'ble-0', zone: 'shop-door' }])
    const sections = await readerSections(db, Date.now())
    assert.equal(sections.get('door-pi'), { 'ble-0': { zone: 'shop-door', allow: [] } })
  })
  // An explicit placement of ble-0 wins over the agent's zone.
  await run('zone', 'add', 'back-office')
  assert.is((await run('zone', 'place', 'door-pi', '--zone', 'back-office')).code, 0)
  const placements = await withDb((db) => readerPlacements(db))
  assert.equal(placements, [{ agent: 'door-pi', device: 'ble-0', zone: 'back-office' }])
})

t("zone token prints the zone's staff token once; only its hash is stored", async () => {
  assert.equal((await run('zone', 'token', 'nowhere', '--json')).json().error, 'not_found')
  await run('zone', 'add', 'shop-door')
  const r = await run('zone', 'token', 'shop-door', '--json')
  assert.is(r.code, 0, r.err.join('\n'))
  const printed = r.json()
  assert.match(printed.token, /^rz_[A-Za-z0-9_-]{43}$/)
  assert.equal([printed.scope, printed.zone], ['zone', 'shop-door'])
  await withDb(async (db) => {
    const id = await findToken(db, printed.token)
    assert.equal([id?.scope, id?.zoneId, id?.memberId], ['zone', 'shop-door', null])
    const rows = await db.selectFrom('api_tokens').selectAll().execute()
    assert.ok(rows.every((row) => !JSON.stringify(row).includes(printed.token)))
  })
  const human = await run('zone', 'token', 'shop-door')
  assert.match(human.out.join('\n'), /page: \/z\/shop-door#token=rz_/)
})

t.run()
