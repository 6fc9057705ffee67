// `relais <command> [args] [--json]`: picks the command whose words match the longest prefix of argv.
import { ConfigError } from '../app/config.js'
import { RelaisError } from '../lib/errors.js'
import { commands } from './commands/index.js'
import { type CliContext, type Command, UsageError } from './context.js'

export function defaultContext(json: boolean): CliContext {
  return {
    json,
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: Boolean(process.stderr.isTTY),
  }
}

function help(ctx: CliContext): void {
  ctx.err('usage: relais <command> [options] [--json]\n\ncommands:')
  for (const c of [...commands].sort((a, b) => a.name.localeCompare(b.name))) {
    ctx.err(`  ${c.name.padEnd(22)} ${c.summary}`)
  }
}

export async function main(argv: string[], ctxIn?: CliContext): Promise<number> {
  const json = argv.includes('--json')
  const args = argv.filter((a) => a !== '--json')
  const ctx = ctxIn ? { ...ctxIn, json } : defaultContext(json)
  let command: Command | undefined
  let words = 0
  for (const c of commands) {
    const n = c.name.split(' ')
    if (n.length > words && n.every((w, i) => args[i] === w)) {
      command = c
      words = n.length
    }
  }
  if (command === undefined) {
    if (args.length > 0 && !['help', '--help', '-h'].includes(args[0]!))
      ctx.err(`relais: unknown command '${args.join(' ')}'`)
    help(ctx)
    return args.length === 0 || ['help', '--help', '-h'].includes(args[0]!) ? 0 : 2
  }
  try {
    return await command.run(args.slice(words), ctx)
  } catch (err) {
    // node:util parseArgs throws for unknown or malformed options: that is a usage error too.
    const parseArgsError =
      typeof (err as { code?: unknown }).code === 'string' &&
      (err as { code: string }).code.startsWith('ERR_PARSE_ARGS')
    if (err instanceof UsageError || parseArgsError) {
      fail(ctx, 'usage', (err as Error).message)
      ctx.err(`usage: relais ${command.usage}`)
      return 2
    }
    if (err instanceof ConfigError || err instanceof RelaisError) {
      fail(ctx, err instanceof RelaisError ? err.code : 'config', err.message)
      return 1
    }
    throw err
  }
}

function fail(ctx: CliContext, code: string, message: string): void {
  if (ctx.json) ctx.out(JSON.stringify({ error: code, message }))
  ctx.err(`relais: ${message}`)
}
