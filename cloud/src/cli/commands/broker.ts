// `relais broker export-mosquitto`: the password file and acl_file an external Mosquitto needs to apply
// Relais' own rules (broker/mosquitto-export.ts). Mosquitto reads both only at start and on SIGHUP, so
// export again and reload after every agent or account added, rotated or revoked.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { isId } from '@relais/hardware'
import { buildMosquittoExport, type ExportInput } from '../../broker/mosquitto-export.js'
import { RelaisError } from '../../lib/errors.js'
import { mosquittoHash } from '../../lib/mosquitto-hash.js'
import type { Db } from '../../storage/db.js'
import { type CliContext, type Command, UsageError, withDb } from '../context.js'

const RELOAD = 'reload Mosquitto to apply them: kill -HUP <pid>, or systemctl reload mosquitto'

/**
 * After a credentials change: with an external broker the running cloud cannot end sessions or check
 * secrets itself, Mosquitto's files must be exported again (on stderr, so --json output stays one line).
 */
export function remindExport(ctx: CliContext): void {
  if (ctx.env.RELAIS_BROKER_URL)
    ctx.err(
      'external broker (RELAIS_BROKER_URL): run `relais broker export-mosquitto` and reload Mosquitto for this to take effect there',
    )
}

export const brokerExportCommand: Command = {
  name: 'broker export-mosquitto',
  summary: 'write a Mosquitto password file and ACL equal to the Relais broker rules (then SIGHUP it)',
  usage:
    'broker export-mosquitto --out <dir> [--cloud-user <name> --cloud-password-file <file>] [--json]\n' +
    '  the cloud login defaults to RELAIS_BROKER_USERNAME and RELAIS_BROKER_PASSWORD; after writing,\n' +
    `  ${RELOAD}`,
  async run(args, ctx) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'cloud-user': { type: 'string' },
        'cloud-password-file': { type: 'string' },
      },
    })
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
    if (values.out === undefined)
      throw new UsageError('give --out <dir>, where passwords and acl are written')
    const cloud = await cloudLogin(values['cloud-user'], values['cloud-password-file'], ctx.env)
    const r = await withDb(ctx, async (db, config) => {
      const input = await loadExportInput(db, config.homeAssistant.prefix)
      if (cloud !== undefined) {
        const taken = [...input.agents.map((a) => a.id), ...input.accounts.map((a) => a.name)]
        if (taken.includes(cloud.username))
          throw new RelaisError('conflict', `cloud user '${cloud.username}' is an agent id or account name`)
        input.cloud = { username: cloud.username, mosquittoHash: await mosquittoHash(cloud.password) }
      }
      return buildMosquittoExport(input)
    })
    const dir = resolve(values.out)
    mkdirSync(dir, { recursive: true })
    const passwords = join(dir, 'passwords')
    const acl = join(dir, 'acl')
    // The hashes stay private to this user (chown them to Mosquitto's user if it runs as another);
    // each file replaced whole, so a reload never reads half of one.
    writeAtomic(passwords, r.passwords, 0o600)
    writeAtomic(acl, r.acl, 0o644)
    if (ctx.json) {
      ctx.out(
        JSON.stringify({
          passwords,
          acl,
          cloudUser: cloud?.username ?? null,
          ...r.counts,
          needRotation: r.needRotation,
        }),
      )
    } else {
      ctx.out(`wrote ${passwords} and ${acl}`)
      ctx.out(
        `${r.counts.agents} agents, ${r.counts.accounts} accounts${cloud ? `, cloud user ${cloud.username}` : ''}; ${r.counts.revoked} revoked left out`,
      )
      for (const n of r.needRotation)
        ctx.out(
          n.kind === 'agent'
            ? `left out: agent ${n.name} has no Mosquitto hash (made before it existed): relais agent rotate ${n.name}`
            : `left out: account ${n.name} has no Mosquitto hash (made before it existed): revoke it and add a new one`,
        )
      if (cloud === undefined)
        ctx.err(
          'no cloud user (--cloud-user or RELAIS_BROKER_USERNAME): the cloud cannot log in to this broker',
        )
      ctx.out(RELOAD)
    }
    return 0
  },
}

async function cloudLogin(
  user: string | undefined,
  passwordFile: string | undefined,
  env: Record<string, string | undefined>,
): Promise<{ username: string; password: string } | undefined> {
  const username = user ?? (env.RELAIS_BROKER_USERNAME || undefined)
  if (username === undefined) {
    if (passwordFile !== undefined) throw new UsageError('--cloud-password-file needs --cloud-user')
    return undefined
  }
  if (!isId(username)) throw new UsageError(`cloud user '${username}': expected [a-z0-9-], 1-63 characters`)
  const password =
    passwordFile !== undefined
      ? readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '')
      : env.RELAIS_BROKER_PASSWORD || undefined
  if (password === undefined || password === '')
    throw new UsageError(
      `cloud user '${username}' needs a password: --cloud-password-file <file>, or RELAIS_BROKER_PASSWORD`,
    )
  return { username, password }
}

async function loadExportInput(db: Db, haPrefix: string): Promise<ExportInput> {
  const agents = await db.selectFrom('agents').select(['id', 'revoked_at', 'mosquitto_hash']).execute()
  const accounts = await db.selectFrom('mqtt_accounts').selectAll().execute()
  return {
    agents: agents.map((a) => ({
      id: a.id,
      revoked: a.revoked_at !== null,
      mosquittoHash: a.mosquitto_hash,
    })),
    accounts: accounts.map((a) => ({
      name: a.name,
      revoked: a.revoked_at !== null,
      mosquittoHash: a.mosquitto_hash,
      read: JSON.parse(a.read_patterns) as string[],
      write: JSON.parse(a.write_patterns) as string[],
      deny: JSON.parse(a.deny_patterns) as string[],
    })),
    haPrefix,
    generatedAt: new Date(),
  }
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text, { mode })
  chmodSync(tmp, mode)
  renameSync(tmp, path)
}
