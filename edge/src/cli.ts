// relais-agent [--config FILE]        run the agent until SIGTERM/SIGINT
// relais-agent --check-config FILE    validate a config file, list every problem, exit 1 if any
// relais-agent beacon-decode HEX...   decode beacon frames for installers (beacon-decode-cli.ts)
import { parseArgs } from 'node:util'
import { Agent } from './agent.js'
import { beaconDecodeMain } from './beacon-decode-cli.js'
import { AgentConfigError, loadAgentConfig } from './config/load.js'
import { startSystemdNotify } from './lib/systemd.js'

const DEFAULT_CONFIG = '/etc/relais/agent.json'

export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (argv[0] === 'beacon-decode') return beaconDecodeMain(argv.slice(1))
  let values: { config?: string; 'check-config'?: string; help?: boolean }
  try {
    values = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (err) {
    process.stderr.write(`relais-agent: ${(err as Error).message}\n`)
    return 2
  }
  if (values.help) {
    process.stdout.write('usage: relais-agent [--config FILE] | --check-config FILE | beacon-decode HEX...\n')
    return 0
  }
  if (values['check-config'] !== undefined) {
    try {
      const c = loadAgentConfig(values['check-config'], env)
      process.stdout.write(
        `${values['check-config']}: valid (agent ${c.agent.id}, ${c.scanners.length} scanner(s), feedback ${c.feedback.kind})\n`,
      )
      return 0
    } catch (err) {
      if (!(err instanceof AgentConfigError)) throw err
      process.stderr.write(`${err.message}\n`)
      return 1
    }
  }
  const file = values.config ?? env.RELAIS_AGENT_CONFIG ?? DEFAULT_CONFIG
  let config: ReturnType<typeof loadAgentConfig>
  try {
    config = loadAgentConfig(file, env)
  } catch (err) {
    if (!(err instanceof AgentConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    return 1
  }
  const agent = new Agent(config)
  await agent.start()
  const notify = startSystemdNotify(agent.log)
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      agent.log.info({ signal }, 'stopping: draining the outbox for up to 5 s')
      notify.stopping()
      agent.stop({ drainMs: 5000 }).then(resolve, (err: unknown) => {
        agent.log.error({ err }, 'unclean stop')
        resolve()
      })
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  })
  notify.close()
  return 0
}
