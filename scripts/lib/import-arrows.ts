// The dependency arrows of DESIGN.md: simulators -> edge -> hardware, cloud -> hardware; hardware is a
// leaf. This reads every import specifier in the packages' sources and tests and lists each violation.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

export const PACKAGES = ['hardware', 'edge', 'cloud', 'simulators'] as const
type Pkg = (typeof PACKAGES)[number]

/** Which internal packages each may import. */
export const ALLOWED: Record<Pkg, Pkg[]> = {
  hardware: [],
  edge: ['hardware'],
  cloud: ['hardware'],
  simulators: ['edge', 'hardware'],
}

const IMPORT_RE =
  /(?:^|[^\w.])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[^\w.])import\s+['"]([^'"]+)['"]/gm

export function importsOf(source: string): string[] {
  const out: string[] = []
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3])!)
  return out
}

export interface Violation {
  file: string
  specifier: string
  why: string
}

/**
 * Checks one file's imports. `file` is relative to the repository root. Tests may also use
 * scripts/testkit; package sources may not reach outside their package at all.
 */
export function checkFile(file: string, specifiers: string[], root = '/repo'): Violation[] {
  const parts = file.split('/')
  const pkg = parts[0] as Pkg
  if (!PACKAGES.includes(pkg)) return []
  const isTest = parts[1] === 'test'
  const out: Violation[] = []
  for (const s of specifiers) {
    const internal = /^@relais\/([a-z-]+)/.exec(s)?.[1]
    if (internal !== undefined) {
      if (internal !== pkg && !ALLOWED[pkg].includes(internal as Pkg)) {
        out.push({
          file,
          specifier: s,
          why: `${pkg} may import only ${ALLOWED[pkg].join(', ') || 'nothing internal'}`,
        })
      }
      continue
    }
    if (!s.startsWith('.')) continue
    const target = relative(root, resolve(root, dirname(file), s)).split(sep)
    if (target[0] === pkg) continue
    if (isTest && target[0] === 'scripts' && target[1] === 'testkit') continue
    out.push({
      file,
      specifier: s,
      why: `relative import leaves the ${pkg} package (import it by package name)`,
    })
  }
  return out
}

function walk(dir: string): string[] {
  let out: string[] = []
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out = out.concat(walk(path))
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path)
  }
  return out
}

export function checkRepository(root: string): Violation[] {
  const out: Violation[] = []
  for (const pkg of PACKAGES) {
    for (const sub of ['src', 'test', 'bin']) {
      let files: string[] = []
      try {
        files = walk(join(root, pkg, sub))
      } catch {
        continue
      }
      for (const f of files)
        out.push(...checkFile(relative(root, f), importsOf(readFileSync(f, 'utf8')), root))
    }
  }
  return out
}
