// systemd readiness and watchdog (Type=notify, WatchdogSec= in hardware/systemd/relais-agent.service).
// Node cannot write to the unix datagram socket in NOTIFY_SOCKET without a native module, so it runs
// systemd-notify, which the unit allows with NotifyAccess=all. Outside systemd this does nothing.
import { execFile } from 'node:child_process'
import type { Logger } from './logger.js'

export function startSystemdNotify(log: Logger, env: Record<string, string | undefined> = process.env) {
  const active = Boolean(env.NOTIFY_SOCKET)
  const send = (...args: string[]) => {
    if (!active) return
    execFile('systemd-notify', args, (err) => {
      if (err) log.warn({ err: err.message }, 'systemd-notify failed')
    })
  }
  send('--ready')
  const usec = Number(env.WATCHDOG_USEC ?? 0)
  // Ping at half the watchdog interval, as sd_watchdog_enabled(3) recommends.
  const timer = usec > 0 ? setInterval(() => send('WATCHDOG=1'), Math.max(1000, usec / 2000)) : undefined
  timer?.unref()
  return {
    stopping: () => send('STOPPING=1'),
    close: () => clearInterval(timer),
  }
}
