// Headless Chromium for browser tests: Debian's `chromium` package driven by playwright-core, which
// ships no browser and never downloads one (that is the `playwright` package's postinstall, not used
// here). Imported by tests only.
import type { Browser } from 'playwright-core'
import { findExecutable, serviceAvailable } from './services.js'

/** Debian's chromium (a wrapper script in /usr/bin), or undefined when not installed. */
export function findChromium(): string | undefined {
  return findExecutable('chromium') ?? findExecutable('chromium-browser')
}

/**
 * Whether a browser suite can run: prints the RELAIS-SKIP line when Chromium is missing (the suite then
 * registers its tests with `.skip`), throws under RELAIS_REQUIRE_SERVICES=1.
 */
export function chromiumAvailable(bin = findChromium()): boolean {
  return serviceAvailable('chromium', bin, 'apt-get install chromium')
}

// Quiet and self-contained: no sandbox (tests run as root in containers, where it cannot start), no GPU,
// and none of the background traffic a desktop browser makes (updates, sync, QUIC probes).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export async function launchChromium(bin = findChromium()): Promise<Browser> {
  if (bin === undefined) throw new Error('chromium not found (apt-get install chromium)')
  // Imported here, so a suite that skips never loads playwright-core.
  const { chromium } = await import('playwright-core')
  // A loaded 2-core machine can take a while to start a browser; 60 s rather than Playwright's 30.
  return chromium.launch({ executablePath: bin, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 })
}
