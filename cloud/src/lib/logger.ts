// One pino logger per process; modules take a child with `module` and put ids (agent, device, msgId)
// in fields, never in the message text, so logs can be filtered.
import pino, { type Logger } from 'pino'

export type { Logger }

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'relais-cloud',
    level: opts.level ?? process.env.RELAIS_LOG_LEVEL ?? 'info',
    // Secrets never reach a log line, even if a caller logs a whole object by mistake.
    redact: {
      paths: ['password', 'secret', 'token', '*.password', '*.secret', '*.token'],
      censor: '[redacted]',
    },
  })
}

/** A logger that drops everything, for tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
