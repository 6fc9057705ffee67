// What every `relais` command gets: where to print, whether to print JSON, and the environment
// (RELAIS_DATA_DIR and friends). Tests pass their own to capture output.
import { type CloudConfig, loadConfig } from '../app/config.js'
import { type Db, openDatabase } from '../storage/db.js'

export interface CliContext {
  /** `--json` was given: print one JSON object per line, nothing else on stdout. */
  json: boolean
  env: Record<string, string | undefined>
  out(line: string): void
  err(line: string): void
  /** stderr is a terminal: progress may be drawn there. */
  isTTY: boolean
}

export interface Command {
  /** Words that select it, e.g. 'agent add'. */
  name: string
  summary: string
  usage: string
  run(args: string[], ctx: CliContext): Promise<number>
}

/** Thrown for wrong arguments; main prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {}

/** Prints `value` as a JSON line under --json, else the human text. */
export function print(ctx: CliContext, value: unknown, human: string): void {
  ctx.out(ctx.json ? JSON.stringify(value) : human)
}

export function configOf(ctx: CliContext): CloudConfig {
  return loadConfig(ctx.env)
}

/** Opens the data dir's database for one command and closes it after, whatever happens. */
export async function withDb<T>(
  ctx: CliContext,
  fn: (db: Db, config: CloudConfig) => Promise<T>,
): Promise<T> {
  const config = configOf(ctx)
  const db = await openDatabase({ dataDir: config.dataDir, url: config.databaseUrl })
  try {
    return await fn(db, config)
  } finally {
    await db.destroy()
  }
}
