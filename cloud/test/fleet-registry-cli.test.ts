// `relais agent add | list | tag | rotate | revoke`: kinds and placements, the config file --out writes
// (0600, never overwritten, nothing stored when it cannot be written), tags, a rotated secret replacing
// the old one, a revoke kept for good. Usage errors exit 2 and change nothing.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { findAgent } from '../src/domains/agents/agents.js'
import { verifySecret } from '../src/lib/secrets.js'
import { databaseEnv, openTestDatabase } from './support/database.js'

let tmp: string
async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: {
      RELAIS_DATA_DIR: tmp,
      ...(await databaseEnv(tmp)),
      RELAIS_AGENT_BROKER_URL: 'mqtts://relais.example.net:8883',
    },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main(args, ctx)
  return { code, out, err, json: () => JSON.parse(out[0]!) as Record<string, unknown> }
}
async function agentRow(id: string) {
  const db = await openTestDatabase(tmp)
  try {
    return await findAgent(db, id)
  } finally {
    await db.destroy()
  }
}

const t = suite('relais agent registry')
t.before.each(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-agent-cli-'))
  assert.is((await run('household', 'add', 'home')).code, 0)
})
t.after.each(() => rmSync(tmp, { recursive: true, force: true }))

t('agent add takes its kind from the placement, or checks the one given', async () => {
  const r = await run(
    'agent',
    'add',
    'kitchen',
    '--household',
    'home',
    '--tag',
    'paris',
    '--tag',
    'pilot',
    '--json',
  )
  assert.is(r.code, 0, r.err.join('\n'))
  assert.is(r.json().kind, 'scanner')
  assert.ok(String(r.json().secret).startsWith('ra_'))
  const beacon = await run('agent', 'add', 'door-1', '--zone', 'shop-front', '--json')
  assert.is(beacon.json().kind, 'beacon')
  assert.is(beacon.json().zone, 'shop-front')
  const wrong = await run('agent', 'add', 'x', '--household', 'home', '--kind', 'button', '--json')
  assert.is(wrong.code, 1)
  assert.is(wrong.json().error, 'invalid_request')
  assert.is(await agentRow('x'), undefined)
  assert.is((await run('agent', 'add', 'y', '--household', 'home', '--zone', 'z')).code, 2)
  assert.is((await run('agent', 'add', 'y', '--household', 'home', '--kind', 'toaster')).code, 2)
  assert.is((await run('agent', 'add', 'y', '--household', 'ghost')).code, 1)
})

t('agent add --out writes a ready config file, private to its owner, never over another', async () => {
  const file = join(tmp, 'kitchen.json')
  const r = await run('agent', 'add', 'kitchen', '--household', 'home', '--out', file, '--json')
  assert.is(r.code, 0, r.err.join('\n'))
  assert.not.ok('secret' in r.json(), 'the secret goes to the file, not to stdout')
  assert.is(statSync(file).mode & 0o777, 0o600)
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    agent: { id: string }
    broker: { url: string; username: string; secret: string; caFile?: string }
    scanners: Array<{ id: string }>
  }
  assert.is(config.agent.id, 'kitchen')
  assert.is(config.broker.url, 'mqtts://relais.example.net:8883')
  assert.is(config.broker.caFile, '/etc/relais/ca.pem')
  assert.equal(
    config.scanners.map((s) => s.id),
    ['scanner-1'],
  )
  assert.ok(await verifySecret(config.broker.secret, (await agentRow('kitchen'))!.secretHash))

  writeFileSync(join(tmp, 'taken.json'), '{}')
  const taken = await run(
    'agent',
    'add',
    'hall',
    '--household',
    'home',
    '--out',
    join(tmp, 'taken.json'),
    '--json',
  )
  assert.is(taken.code, 1)
  assert.is(taken.json().error, 'file_exists')
  assert.is(await agentRow('hall'), undefined, 'nothing stored')
  assert.is(readFileSync(join(tmp, 'taken.json'), 'utf8'), '{}')
  const door = join(tmp, 'door.json')
  const wrong = await run(
    'agent',
    'add',
    'door',
    '--zone',
    'front',
    '--kind',
    'scanner',
    '--out',
    door,
    '--json',
  )
  assert.is(wrong.json().error, 'invalid_request')
  assert.is(await agentRow('door'), undefined, 'nothing stored')
  assert.not.ok(existsSync(door), 'no file left behind')
})

t('agent tag adds and --untag removes; list filters by tag and kind', async () => {
  assert.is((await run('agent', 'add', 'kitchen', '--household', 'home', '--tag', 'paris')).code, 0)
  assert.is((await run('agent', 'add', 'cellar', '--household', 'home')).code, 0)
  const tagged = await run('agent', 'tag', 'cellar', 'paris', 'batch-2', '--json')
  assert.equal(tagged.json().tags, ['batch-2', 'paris'])
  assert.equal((await run('agent', 'tag', 'cellar', 'paris', '--untag', '--json')).json().tags, ['batch-2'])
  const list = await run('agent', 'list', '--tag', 'paris', '--json')
  assert.equal(
    list.out.map((l) => (JSON.parse(l) as { agent: string }).agent),
    ['kitchen'],
  )
  assert.not.ok(list.out[0]!.includes('scrypt'), 'no hash in the listing')
  assert.is((await run('agent', 'list', '--kind', 'button', '--json')).out.length, 0)
  assert.is((await run('agent', 'tag', 'ghost', 'x', '--json')).json().error, 'not_found')
  assert.is((await run('agent', 'tag', 'kitchen', 'Bad_Tag', '--json')).json().error, 'invalid_request')
  assert.is((await run('agent', 'tag', 'kitchen')).code, 2)
})

t('rotate prints a new secret once and the old one stops verifying; revoke is for good', async () => {
  const first = String((await run('agent', 'add', 'kitchen', '--household', 'home', '--json')).json().secret)
  const r = await run('agent', 'rotate', 'kitchen', '--json')
  assert.is(r.code, 0)
  const second = String(r.json().secret)
  assert.is.not(second, first)
  const row = (await agentRow('kitchen'))!
  assert.not.ok(await verifySecret(first, row.secretHash))
  assert.ok(await verifySecret(second, row.secretHash))
  const revoked = await run('agent', 'revoke', 'kitchen', '--json')
  assert.is(revoked.json().revoked, true)
  assert.is((await run('agent', 'rotate', 'kitchen', '--json')).json().error, 'agent_revoked')
  assert.is((await run('agent', 'list', '--json')).out.length, 0)
  assert.is((await run('agent', 'list', '--revoked', '--json')).out.length, 1)
  assert.is((await run('agent', 'revoke', 'ghost', '--json')).json().error, 'not_found')
})

t.run()
