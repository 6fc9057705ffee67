// JSON logs to stdout (systemd sends them to the journal); a child per module, ids as fields.
import pino, { type Logger } from 'pino'

export type { Logger }

export function createLogger(level = 'info'): Logger {
  return pino({
    name: 'relais-agent',
    level,
    redact: {
      paths: ['secret', 'password', '*.secret', '*.password', 'broker.secret'],
      censor: '[redacted]',
    },
  })
}
