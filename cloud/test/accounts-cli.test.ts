// `relais account add | list | revoke`: the secret printed once and stored as an scrypt hash, patterns
// checked before anything is stored, names never an agent's, usage errors exit 2.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { verifySecret } from '../src/lib/secrets.js'
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
async function accountRow(name: string) {
  const db = await openTestDatabase(tmp)
  try {
    return await db.selectFrom('mqtt_accounts').selectAll().where('name', '=', name).executeTakeFirst()
  } finally {
    await db.destroy()
  }
}

const t = suite('relais account')
t.before.each(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-account-cli-'))
})
t.after.each(() => rmSync(tmp, { recursive: true, force: true }))

t('account add prints the secret once and stores only its scrypt hash', async () => {
  const r = await run(
    'account',
    'add',
    'home-assistant',
    '--read',
    'relais/v1/+/status',
    '--read',
    'relais/v1/+/health',
    '--write',
    'ha/+/set',
    '--deny',
    'relais/v1/secret-pi/#',
    '--json',
  )
  assert.is(r.code, 0, r.err.join('\n'))
  const printed = JSON.parse(r.out[0]!) as { secret: string; read: string[]; username: string }
  assert.is(printed.username, 'home-assistant')
  assert.equal(printed.read, ['relais/v1/+/status', 'relais/v1/+/health'])
  const row = await accountRow('home-assistant')
  assert.ok(row?.secret_hash.startsWith('scrypt$'))
  assert.not.ok(row?.secret_hash.includes(printed.secret))
  assert.ok(await verifySecret(printed.secret, row!.secret_hash))
})

t('bad patterns and agent ids are refused and nothing is stored', async () => {
  assert.is((await run('household', 'add', 'home')).code, 0)
  assert.is((await run('agent', 'add', 'kitchen', '--household', 'home')).code, 0)
  const taken = await run('account', 'add', 'kitchen', '--read', 'a/#', '--json')
  assert.is(taken.code, 1)
  assert.is((JSON.parse(taken.out[0]!) as { error: string }).error, 'conflict')
  for (const bad of [['--read', 'a/#/b'], ['--read', '$SYS/#'], ['--write', '#'], []]) {
    const r = await run('account', 'add', 'node-red', ...bad, '--json')
    assert.is(r.code, 1, bad.join(' '))
    assert.is((JSON.parse(r.out[0]!) as { error: string }).error, 'invalid_request')
  }
  assert.is(await accountRow('node-red'), undefined)
  assert.is((await run('account', 'add')).code, 2)
  assert.is((await run('account', 'add', 'x', '--colour', 'red')).code, 2)
})

t('account list shows patterns; revoke hides it unless --revoked is given', async () => {
  assert.is((await run('account', 'add', 'telegraf', '--read', 'relais/v1/+/health')).code, 0)
  assert.is((await run('account', 'add', 'node-red', '--write', 'nr/#')).code, 0)
  const list = await run('account', 'list', '--json')
  assert.equal(
    list.out.map((l) => (JSON.parse(l) as { account: string }).account),
    ['node-red', 'telegraf'],
  )
  assert.ok(!list.out.some((l) => l.includes('scrypt')), 'no hash in the listing')
  const revoked = await run('account', 'revoke', 'telegraf')
  assert.is(revoked.code, 0)
  assert.equal(
    (await run('account', 'list', '--json')).out.map((l) => (JSON.parse(l) as { account: string }).account),
    ['node-red'],
  )
  const all = (await run('account', 'list', '--revoked', '--json')).out.map(
    (l) => JSON.parse(l) as { account: string; revokedAt: number | null },
  )
  assert.ok(all.find((a) => a.account === 'telegraf')?.revokedAt)
  assert.is((await run('account', 'revoke', 'nobody')).code, 1)
})

t.run()
