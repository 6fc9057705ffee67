// Test support for suites that need a real server (InfluxDB, Mosquitto, PostgreSQL, Redis, Chromium).
// Imported by tests only, never by package sources (the import-arrow test checks it).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'

/** True when CI demands every service: a suite that cannot find one must fail, not skip. */
export const servicesRequired = process.env.RELAIS_REQUIRE_SERVICES === '1'

/** Finds an executable on PATH or in the usual sbin folders; returns its path or undefined. */
export function findExecutable(name: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...extraDirs, '/usr/sbin', '/usr/bin', '/usr/local/bin', '/sbin']) {
    const path = `${dir}/${name}`
    if (existsSync(path)) return path
  }
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * Decides whether a suite can run. When the service is missing it prints one `RELAIS-SKIP` line (the test
 * runner echoes it) and returns false, so the suite registers its tests as skipped; under
 * RELAIS_REQUIRE_SERVICES=1 it throws instead, and the file fails.
 */
export function serviceAvailable(service: string, found: unknown, howToInstall: string): boolean {
  if (found) return true
  const why = `${service} not found (${howToInstall})`
  if (servicesRequired) throw new Error(`RELAIS_REQUIRE_SERVICES=1 but ${why}`)
  console.log(`RELAIS-SKIP: ${why}; its tests are skipped`)
  return false
}

/** An ephemeral port on loopback, free at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'))
      srv.close(() => resolve(addr.port))
    })
  })
}

/** Polls `check` until it resolves truthy or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const v = await check()
      if (v) return v
    } catch (err) {
      lastError = err
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  )
}
