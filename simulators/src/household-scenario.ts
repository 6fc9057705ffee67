// A household at its fridge: mostly the same staples again and again, now and then something new,
// a product no catalogue knows, a scan read twice, or a mistake taken back with the remove code.
// Codes come from the Open Food Facts sample, so the demo shows real product names.
import { existsSync, readFileSync } from 'node:fs'

export interface ScenarioStep {
  code: string
  /** Pause before this scan, ms. */
  pauseMs: number
}

export interface HouseholdScenarioOptions {
  /** Product codes to draw from (e.g. readSampleCodes()). */
  codes: string[]
  meanPauseMs: number
  random?: () => number
  /** Scanner mode codes, as the agent's config has them. */
  modeCodes?: { remove: string; add: string }
}

/** Codes of the OFF JSONL sample, if it is there. */
export function readSampleCodes(file: string, limit = 100): string[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, limit)
    .map((l) => (JSON.parse(l) as { code: string }).code)
}

/** Codes no catalogue knows (valid GTINs with in-store prefixes), to feed the unknown-products inbox. */
export const UNKNOWN_CODES = ['2000000000015', '0200000000009', '96385074']

/** An endless sequence of scans. */
export function* householdScenario(o: HouseholdScenarioOptions): Generator<ScenarioStep> {
  const rnd = o.random ?? Math.random
  const staples = o.codes.slice(0, Math.max(1, Math.ceil(o.codes.length / 5)))
  const pause = () => Math.round(o.meanPauseMs * (0.3 + 1.4 * rnd()))
  const modes = o.modeCodes ?? { remove: 'RELAIS-MODE-REMOVE', add: 'RELAIS-MODE-ADD' }
  for (;;) {
    const r = rnd()
    if (r < 0.55 && staples.length > 0) {
      yield { code: staples[Math.floor(rnd() * staples.length)]!, pauseMs: pause() }
    } else if (r < 0.85 && o.codes.length > 0) {
      yield { code: o.codes[Math.floor(rnd() * o.codes.length)]!, pauseMs: pause() }
    } else if (r < 0.92) {
      yield { code: UNKNOWN_CODES[Math.floor(rnd() * UNKNOWN_CODES.length)]!, pauseMs: pause() }
    } else if (r < 0.96 && o.codes.length > 0) {
      // The same packet read twice in a row: the scanner's debounce keeps it to one.
      const code = o.codes[Math.floor(rnd() * o.codes.length)]!
      yield { code, pauseMs: pause() }
      yield { code, pauseMs: 300 }
    } else if (staples.length > 0) {
      // Scanned by mistake: switch to remove mode, scan it again, back to add.
      const code = staples[Math.floor(rnd() * staples.length)]!
      yield { code: modes.remove, pauseMs: pause() }
      yield { code, pauseMs: 1500 }
      yield { code: modes.add, pauseMs: 1500 }
    }
  }
}
