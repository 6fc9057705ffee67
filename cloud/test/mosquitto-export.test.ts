// `relais broker export-mosquitto` without a broker: the $7$ hash is mosquitto_passwd's, every secret made
// or rotated (CLI and HTTP) gets one, the files hold the rules of topic-rules.ts and account-rules.ts,
// revoked agents are left out, agents made before migration 0008 are listed for rotation.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { findMosquitto, MOSQUITTO_INSTALL } from '../../scripts/testkit/mosquitto.js'
import { serviceAvailable } from '../../scripts/testkit/services.js'
import { agentAcl, buildMosquittoExport } from '../src/broker/mosquitto-export.js'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { MOSQUITTO_ITERATIONS, mosquittoHash, verifyMosquittoHash } from '../src/lib/mosquitto-hash.js'
import { databaseEnv, openTestDatabase } from './support/database.js'
import { httpFixture } from './support/http-app.js'

let tmp: string
async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: { RELAIS_DATA_DIR: join(tmp, 'data'), ...(await databaseEnv(join(tmp, 'data'))) },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main(args, ctx)
  return { code, out, err, json: () => JSON.parse(out.at(-1)!) as Record<string, unknown> }
}
async function hashOf(table: 'agents' | 'mqtt_accounts', key: string): Promise<string | null> {
  const db = await openTestDatabase(join(tmp, 'data'))
  try {
    if (table === 'agents')
      return (await db
        .selectFrom('agents')
        .select('mosquitto_hash')
        .where('id', '=', key)
        .executeTakeFirst())!.mosquitto_hash
    return (await db
      .selectFrom('mqtt_accounts')
      .select('mosquitto_hash')
      .where('name', '=', key)
      .executeTakeFirst())!.mosquitto_hash
  } finally {
    await db.destroy()
  }
}

const t = suite('relais broker export-mosquitto')
t.before.each(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-mosquitto-export-'))
})
t.after.each(() => rmSync(tmp, { recursive: true, force: true }))

const passwd = findMosquitto()?.passwd
const withPasswd = serviceAvailable('mosquitto_passwd', passwd, MOSQUITTO_INSTALL) ? t : t.skip

withPasswd(
  'the $7$ hash is the one mosquitto_passwd makes (PBKDF2-SHA512, its salt, its count)',
  async () => {
    const file = join(tmp, 'pw')
    execFileSync(passwd!, ['-c', '-b', file, 'kitchen', 's3cret'], { stdio: 'ignore' })
    const theirs = readFileSync(file, 'utf8').trim().split(':')[1]!
    assert.match(theirs, new RegExp(`^\\$7\\$${MOSQUITTO_ITERATIONS}\\$`))
    assert.ok(await verifyMosquittoHash('s3cret', theirs))
    assert.not.ok(await verifyMosquittoHash('s3cret!', theirs))
    const ours = await mosquittoHash('s3cret')
    assert.is(ours.split('$').length, theirs.split('$').length)
    assert.is(Buffer.from(ours.split('$')[3]!, 'base64').length, 12)
    assert.is(Buffer.from(ours.split('$')[4]!, 'base64').length, 64)
  },
)

t('agent add, agent rotate and account add store a Mosquitto hash of the secret they print', async () => {
  assert.is((await run('household', 'add', 'home')).code, 0)
  const added = await run('agent', 'add', 'kitchen', '--household', 'home', '--json')
  const secret = added.json().secret as string
  assert.ok(await verifyMosquittoHash(secret, (await hashOf('agents', 'kitchen'))!))
  const rotated = (await run('agent', 'rotate', 'kitchen', '--json')).json().secret as string
  const after = (await hashOf('agents', 'kitchen'))!
  assert.ok(await verifyMosquittoHash(rotated, after))
  assert.not.ok(await verifyMosquittoHash(secret, after))
  const account = await run('account', 'add', 'ha', '--read', 'ha/#', '--json')
  assert.ok(
    await verifyMosquittoHash(account.json().secret as string, (await hashOf('mqtt_accounts', 'ha'))!),
  )
})

t('POST /api/agents and /rotate store a Mosquitto hash of the secret they answer', async () => {
  const f = await httpFixture()
  try {
    const call = (url: string, payload?: Record<string, unknown>) =>
      f.app.inject({ method: 'POST', url, headers: f.auth(f.tokens.ops), payload })
    const made = (await call('/api/agents', { id: 'hall', household: 'home' })).json() as { secret: string }
    const row = () =>
      f.db.selectFrom('agents').select('mosquitto_hash').where('id', '=', 'hall').executeTakeFirst()
    assert.ok(await verifyMosquittoHash(made.secret, (await row())!.mosquitto_hash!))
    const rotated = (await call('/api/agents/hall/rotate')).json() as { secret: string }
    assert.ok(await verifyMosquittoHash(rotated.secret, (await row())!.mosquitto_hash!))
  } finally {
    await f.close()
  }
})

t(
  'the export writes passwords and acl: agents, accounts, the cloud; revoked and hashless left out',
  async () => {
    await run('household', 'add', 'home')
    await run('agent', 'add', 'kitchen', '--household', 'home')
    await run('agent', 'add', 'hall', '--household', 'home')
    await run('agent', 'add', 'old', '--household', 'home')
    await run('agent', 'revoke', 'hall')
    await run(
      'account',
      'add',
      'ha',
      '--read',
      'relais/v1/+/health',
      '--write',
      'ha/+/set',
      '--deny',
      'relais/v1/old/#',
    )
    // An agent made before migration 0008 has no Mosquitto hash.
    const db = await openTestDatabase(join(tmp, 'data'))
    await db.updateTable('agents').set({ mosquitto_hash: null }).where('id', '=', 'old').execute()
    await db.destroy()
    writeFileSync(join(tmp, 'cloud-pw'), 'cloud-secret\n')

    const out = join(tmp, 'mosquitto')
    const r = await run(
      'broker',
      'export-mosquitto',
      '--out',
      out,
      '--cloud-user',
      'relais-cloud',
      '--cloud-password-file',
      join(tmp, 'cloud-pw'),
    )
    assert.is(r.code, 0, r.err.join('\n'))
    assert.ok(
      r.out.some((l) => l.includes('relais agent rotate old')),
      r.out.join('\n'),
    )
    assert.ok(r.out.some((l) => l.includes('SIGHUP') || l.includes('kill -HUP')))

    const passwords = readFileSync(join(out, 'passwords'), 'utf8').trim().split('\n')
    assert.equal(passwords.map((l) => l.split(':')[0]).sort(), ['ha', 'kitchen', 'relais-cloud'])
    for (const l of passwords)
      assert.match(l, /^[a-z0-9-]+:\$7\$101\$[A-Za-z0-9+/=]{16}\$[A-Za-z0-9+/=]{88}$/)
    const cloudHash = passwords.find((l) => l.startsWith('relais-cloud:'))!.slice('relais-cloud:'.length)
    assert.ok(
      await verifyMosquittoHash('cloud-secret', cloudHash),
      'the trailing newline is not the password',
    )
    assert.is(statSync(join(out, 'passwords')).mode & 0o777, 0o600)

    const acl = readFileSync(join(out, 'acl'), 'utf8')
    const section = (user: string) => {
      const lines = acl.split('\n')
      const from = lines.indexOf(`user ${user}`)
      if (from < 0) return undefined
      const to = lines.findIndex((l, i) => i > from && l === '')
      return lines.slice(from + 1, to)
    }
    assert.equal(section('kitchen'), agentAcl('kitchen'))
    assert.ok(section('kitchen')!.includes('topic write relais/v1/kitchen/+/event/+'))
    assert.ok(section('kitchen')!.includes('topic read relais/v1/kitchen/cmd/+'))
    assert.ok(section('kitchen')!.includes('topic deny relais/v1/kitchen/cmd/status'))
    assert.not.ok(section('kitchen')!.some((l) => l.includes('write relais/v1/kitchen/config')))
    assert.equal(section('ha'), [
      'topic deny relais/v1/old/#',
      'topic read relais/v1/+/health',
      'topic write ha/+/set',
    ])
    assert.ok(section('relais-cloud')!.includes('topic read relais/v1/#'))
    assert.ok(section('relais-cloud')!.includes('topic write relais/v1/+/+/cmd/+'))
    assert.ok(section('relais-cloud')!.includes('topic readwrite homeassistant/#'))
    assert.is(section('hall'), undefined, 'revoked: no ACL')
    assert.is(section('old'), undefined, 'no hash: no ACL either')
    // Nothing before the first user line but comments: anonymous clients get no topic.
    const firstUser = acl.split('\n').findIndex((l) => l.startsWith('user '))
    assert.ok(
      acl
        .split('\n')
        .slice(0, firstUser)
        .every((l) => l === '' || l.startsWith('#')),
    )
  },
)

t(
  '--json reports counts and the agents needing rotation; the cloud login may come from the env',
  async () => {
    await run('household', 'add', 'home')
    await run('agent', 'add', 'a1', '--household', 'home')
    await run('agent', 'add', 'a2', '--household', 'home')
    await run('agent', 'revoke', 'a2')
    const db = await openTestDatabase(join(tmp, 'data'))
    await db.updateTable('agents').set({ mosquitto_hash: null }).where('id', '=', 'a1').execute()
    await db.destroy()
    const out: string[] = []
    const ctx: CliContext = {
      json: false,
      env: {
        RELAIS_DATA_DIR: join(tmp, 'data'),
        ...(await databaseEnv(join(tmp, 'data'))),
        RELAIS_BROKER_URL: 'mqtt://127.0.0.1:1883',
        RELAIS_BROKER_USERNAME: 'cloud',
        RELAIS_BROKER_PASSWORD: 'pw',
      },
      out: (l) => out.push(l),
      err: () => {},
      isTTY: false,
    }
    assert.is(await main(['broker', 'export-mosquitto', '--out', join(tmp, 'm'), '--json'], ctx), 0)
    const j = JSON.parse(out.at(-1)!) as Record<string, unknown>
    assert.equal(
      {
        cloudUser: j.cloudUser,
        agents: j.agents,
        accounts: j.accounts,
        revoked: j.revoked,
        need: j.needRotation,
      },
      { cloudUser: 'cloud', agents: 0, accounts: 0, revoked: 1, need: [{ kind: 'agent', name: 'a1' }] },
    )
    assert.equal(
      readFileSync(join(tmp, 'm', 'passwords'), 'utf8')
        .trim()
        .split('\n').length,
      1,
    )
  },
)

t(
  'with RELAIS_BROKER_URL, credentials changes remind to export again (on stderr, --json kept clean)',
  async () => {
    const err: string[] = []
    const out: string[] = []
    const env = {
      RELAIS_DATA_DIR: join(tmp, 'data'),
      ...(await databaseEnv(join(tmp, 'data'))),
      RELAIS_BROKER_URL: 'mqtt://127.0.0.1:1883',
    }
    const ctx: CliContext = {
      json: false,
      env,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      isTTY: false,
    }
    await main(['household', 'add', 'home'], ctx)
    for (const args of [
      ['agent', 'add', 'a1', '--household', 'home', '--json'],
      ['agent', 'rotate', 'a1', '--json'],
      ['agent', 'revoke', 'a1', '--json'],
      ['account', 'add', 'ha', '--read', 'ha/#', '--json'],
      ['account', 'revoke', 'ha', '--json'],
    ]) {
      err.length = 0
      out.length = 0
      assert.is(await main(args, ctx), 0, args.join(' '))
      assert.match(err.join('\n'), /relais broker export-mosquitto/, args.join(' '))
      assert.is(out.length, 1)
      JSON.parse(out[0]!)
    }
  },
)

t('usage: --out is required, a password file needs a user, the cloud user must not be an agent', async () => {
  assert.is((await run('broker', 'export-mosquitto')).code, 2)
  writeFileSync(join(tmp, 'pw'), 'x')
  assert.is(
    (await run('broker', 'export-mosquitto', '--out', tmp, '--cloud-password-file', join(tmp, 'pw'))).code,
    2,
  )
  assert.is((await run('broker', 'export-mosquitto', '--out', tmp, '--cloud-user', 'relais-cloud')).code, 2)
  await run('household', 'add', 'home')
  await run('agent', 'add', 'kitchen', '--household', 'home')
  const clash = await run(
    'broker',
    'export-mosquitto',
    '--out',
    tmp,
    '--cloud-user',
    'kitchen',
    '--cloud-password-file',
    join(tmp, 'pw'),
  )
  assert.is(clash.code, 1)
  assert.match(clash.err.join('\n'), /agent id or account name/)
})

t('buildMosquittoExport sorts users and says which kind needs what', () => {
  const r = buildMosquittoExport({
    agents: [
      { id: 'b', revoked: false, mosquittoHash: '$7$101$x$y' },
      { id: 'a', revoked: false, mosquittoHash: null },
    ],
    accounts: [{ name: 'ha', revoked: false, mosquittoHash: null, read: ['x/#'], write: [], deny: [] }],
    haPrefix: 'homeassistant',
    generatedAt: new Date(0),
  })
  assert.is(r.passwords, 'b:$7$101$x$y\n')
  assert.equal(r.needRotation, [
    { kind: 'agent', name: 'a' },
    { kind: 'account', name: 'ha' },
  ])
  assert.equal(r.counts, { agents: 1, accounts: 0, revoked: 0 })
})

t.run()
