// `relais token add` and `relais token revoke`: a token printed once and stored only as a hash, naming
// its courier or site; usage errors exit 2 and change nothing; revoking ends it at once.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { findToken } from '../src/domains/tokens/tokens.js'
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
  return { code, out, err }
}
async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openTestDatabase>>) => Promise<T>): Promise<T> {
  const db = await openTestDatabase(tmp)
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

const t = suite('relais token')
t.before.each(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-token-cli-'))
  assert.is(
    (await run('depot', 'add', 'depot-1', '--address', '1 rue X', '--lat', '48.86', '--lon', '2.37')).code,
    0,
  )
  assert.is((await run('courier', 'add', 'ana', '--depot', 'depot-1')).code, 0)
  assert.is(
    (await run('site', 'add', 'rivoli', '--address', '12 rue de Rivoli', '--lat', '48.85', '--lon', '2.36'))
      .code,
    0,
  )
})
t.after.each(() => {
  rmSync(tmp, { recursive: true, force: true })
})

t('token add --courier prints the token once as JSON; only its hash is stored', async () => {
  const r = await run('token', 'add', '--courier', 'ana', '--json')
  assert.is(r.code, 0, r.err.join('\n'))
  assert.is(r.out.length, 1)
  const printed = JSON.parse(r.out[0]!)
  assert.equal(
    [printed.scope, printed.courier, printed.site, printed.name],
    ['courier', 'ana', null, 'courier ana'],
  )
  assert.match(printed.token, /^rc_[A-Za-z0-9_-]{43}$/)
  await withDb(async (db) => {
    assert.equal(await findToken(db, printed.token), {
      tokenId: printed.id,
      scope: 'courier',
      householdId: null,
      courierId: 'ana',
      siteId: null,
      memberId: null,
      zoneId: null,
    })
    const rows = await db.selectFrom('api_tokens').selectAll().execute()
    assert.ok(
      rows.every((row) => !JSON.stringify(row).includes(printed.token)),
      'the token itself is not stored',
    )
  })
})

t('token add --site and --ops; the human output says it is shown once', async () => {
  const site = await run('token', 'add', '--site', 'rivoli', '--name', 'Mme Roux')
  assert.is(site.code, 0)
  assert.match(site.out.join('\n'), /site token \S+ issued for site rivoli\ntoken: rs_/)
  assert.match(site.out.join('\n'), 'shown once')
  const ops = await run('token', 'add', '--ops', '--json')
  const printed = JSON.parse(ops.out[0]!)
  assert.equal([printed.scope, printed.courier, printed.site], ['ops', null, null])
  await withDb(async (db) => assert.is((await findToken(db, printed.token))?.scope, 'ops'))
})

t('usage errors exit 2 and issue nothing; an unknown courier or site exits 1', async () => {
  const before = await withDb((db) => db.selectFrom('api_tokens').select('id').execute())
  for (const args of [
    [],
    ['--ops', '--courier', 'ana'],
    ['--courier'],
    ['extra', '--ops'],
    ['--colour', 'red'],
  ]) {
    const r = await run('token', 'add', ...args)
    assert.is(r.code, 2, args.join(' '))
    assert.match(r.err.join('\n'), 'usage: relais token add')
  }
  const unknown = await run('token', 'add', '--courier', 'bob', '--json')
  assert.is(unknown.code, 1)
  assert.equal(JSON.parse(unknown.out[0]!), { error: 'not_found', message: "courier 'bob' not found" })
  assert.is((await run('token', 'add', '--site', 'nowhere')).code, 1)
  const after = await withDb((db) => db.selectFrom('api_tokens').select('id').execute())
  assert.equal(after, before)
})

t('token revoke ends a token at once; revoking it again is a conflict', async () => {
  const printed = JSON.parse((await run('token', 'add', '--courier', 'ana', '--json')).out[0]!)
  const r = await run('token', 'revoke', printed.id, '--json')
  assert.is(r.code, 0)
  assert.equal(JSON.parse(r.out[0]!), { id: printed.id, revoked: true })
  await withDb(async (db) => assert.is(await findToken(db, printed.token), undefined))
  const again = await run('token', 'revoke', printed.id)
  assert.is(again.code, 1)
  assert.match(again.err.join('\n'), 'already revoked')
  assert.is((await run('token', 'revoke')).code, 2)
  assert.is((await run('token', 'revoke', 'no-such-id')).code, 1)
})

t.run()
