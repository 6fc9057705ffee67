// Test support: a `relais` CLI command run in this process, its --json output parsed.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CliContext } from '../../src/cli/context.js'
import { main } from '../../src/cli/main.js'

/** Runs `relais <args> --json` with `env`; throws with its error output when it exits non-zero. */
export async function cliJson(
  env: Record<string, string>,
  ...args: string[]
): Promise<Record<string, unknown>> {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = { json: true, env, out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false }
  if ((await main([...args, '--json'], ctx)) !== 0)
    throw new Error(`relais ${args.join(' ')}: ${err.join('\n')}`)
  return JSON.parse(out.at(-1)!) as Record<string, unknown>
}

/**
 * `relais broker export-mosquitto` into `dir`/mosquitto, with the cloud's own login: the password and
 * ACL files a Mosquitto run with Relais' rules starts from.
 */
export async function exportMosquittoFiles(
  env: Record<string, string>,
  dir: string,
  cloud: { username: string; password: string },
): Promise<{ passwords: string; acl: string }> {
  const passwordFile = join(dir, 'cloud-pw')
  writeFileSync(passwordFile, cloud.password)
  const out = join(dir, 'mosquitto')
  await cliJson(
    env,
    'broker',
    'export-mosquitto',
    '--out',
    out,
    '--cloud-user',
    cloud.username,
    '--cloud-password-file',
    passwordFile,
  )
  return { passwords: join(out, 'passwords'), acl: join(out, 'acl') }
}
