// npm run build:agent [-- --out DIR] [--no-install]
// Builds the edge agent for the device (DESIGN.md, hardware notes: ship it built, never compile on the
// device): one esbuild bundle of edge/src/main.ts, with the packages that load native code (or load
// packages that do) left external, and a pruned production node_modules holding only those.
// Native modules are built for the machine running this script: build on linux-arm64 with the Node major
// of the Pi (hardware/systemd/README.md).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'

const root = join(fileURLToPath(import.meta.url), '..', '..')

/** Shipped in node_modules beside the bundle: native addons and the packages that require them. */
export const RUNTIME_PACKAGES = ['better-sqlite3', 'serialport', 'johnny-five', 'firmata'] as const
/**
 * Left to Node but not shipped, all optional at run time: mock-firmata (feedback dry runs) and ioctl
 * (HID grab), whose absence the agent reports; bufferutil and utf-8-validate, which ws (mqtt.js's
 * WebSocket transport) tries inside a try/catch and does without.
 */
const OPTIONAL_PACKAGES = ['mock-firmata', 'ioctl', 'bufferutil', 'utf-8-validate']
const EXTERNAL = [...RUNTIME_PACKAGES, '@serialport/*', 'mock-firmata', 'ioctl']

export interface BuildAgentOptions {
  /** Default <repo>/dist/agent. Emptied first. */
  outDir?: string
  /** npm install the pruned node_modules (slow: better-sqlite3 may build from source). Default true. */
  install?: boolean
}

export interface BuildAgentResult {
  outDir: string
  bundle: string
  bundleBytes: number
  nodeModulesBytes?: number
}

export async function buildAgent(o: BuildAgentOptions = {}): Promise<BuildAgentResult> {
  const outDir = resolve(o.outDir ?? join(root, 'dist', 'agent'))
  // Emptied first, so a mistyped --out must not wipe a folder this script did not make.
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'relais-agent.mjs')))
    throw new Error(`${outDir} is not empty and holds no earlier build: give an empty or new folder`)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const bundle = join(outDir, 'relais-agent.mjs')
  const result = await build({
    entryPoints: [join(root, 'edge', 'src', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    // CJS dependencies bundled into ESM call require() for Node built-ins; ESM has no require.
    banner: {
      js: [
        '#!/usr/bin/env node',
        "import { createRequire as __relaisCreateRequire } from 'node:module'",
        'const require = __relaisCreateRequire(import.meta.url)',
      ].join('\n'),
    },
    // Readable stack traces on the device (node --enable-source-maps); sources stay out of the map.
    minify: false,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  })
  checkExternals(result.metafile.outputs)

  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>
  }
  const dependencies = Object.fromEntries(
    RUNTIME_PACKAGES.map((name) => {
      const version = lock.packages[`node_modules/${name}`]?.version
      if (!version) throw new Error(`${name} is not in package-lock.json`)
      return [name, version]
    }),
  )
  const edge = JSON.parse(readFileSync(join(root, 'edge', 'package.json'), 'utf8')) as { version: string }
  const manifest = {
    name: 'relais-agent',
    version: edge.version,
    private: true,
    description: 'The Relais edge agent, built (npm run build:agent)',
    type: 'module',
    bin: { 'relais-agent': './relais-agent.mjs' },
    engines: { node: '>=20.10' },
    dependencies,
    // johnny-five and firmata ask for serialport 8, whose binding would be compiled here and never
    // used: the agent hands firmata its own serialport 13 (edge/src/feedback/johnny-five.ts).
    overrides: { serialport: '$serialport' },
    // npm 11 asks which install scripts may run: better-sqlite3's fetches or builds its binary,
    // bindings-cpp's only checks its prebuilt one.
    allowScripts: { 'better-sqlite3': true, '@serialport/bindings-cpp': true },
    // What the native modules in node_modules were built for; the Pi must match.
    builtFor: {
      platform: process.platform,
      arch: process.arch,
      node: process.version,
      abi: process.versions.modules,
    },
  }
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)

  const out: BuildAgentResult = { outDir, bundle, bundleBytes: statSync(bundle).size }
  if (o.install !== false) {
    // --omit=optional drops browser-serialport and the like; scripts must run (better-sqlite3's binary).
    execFileSync(
      'npm',
      ['install', '--omit=dev', '--omit=optional', '--ignore-scripts=false', '--no-audit', '--no-fund'],
      { cwd: outDir, stdio: ['ignore', 'inherit', 'inherit'] },
    )
    pruneBuildLeftovers(join(outDir, 'node_modules'))
    out.nodeModulesBytes = du(join(outDir, 'node_modules'))
  }
  return out
}

/** Every import the bundle leaves to Node must be a built-in or a package we ship or call optional. */
function checkExternals(outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>) {
  const allowed = new Set([...RUNTIME_PACKAGES, ...OPTIONAL_PACKAGES])
  const builtins = new Set(builtinModules)
  for (const output of Object.values(outputs)) {
    for (const imp of output.imports) {
      if (!imp.external) continue
      const name = imp.path.startsWith('@')
        ? imp.path.split('/').slice(0, 2).join('/')
        : imp.path.split('/')[0]!
      const bare = name.replace(/^node:/, '')
      if (builtins.has(bare) || allowed.has(name) || name.startsWith('@serialport/')) continue
      throw new Error(`the bundle imports '${imp.path}', which is neither bundled nor shipped`)
    }
  }
}

/**
 * better-sqlite3 keeps its C sources and object files after building, and serialport's bindings ship
 * binaries for every OS: the device needs its own .node files only.
 */
function pruneBuildLeftovers(modules: string) {
  const bs = join(modules, 'better-sqlite3')
  for (const dir of ['deps', 'src', 'build/Release/obj', 'build/Release/obj.target', 'build/Release/.deps'])
    rmSync(join(bs, dir), { recursive: true, force: true })
  for (const file of ['build/Release/test_extension.node', 'build/Release/sqlite3.a'])
    rmSync(join(bs, file), { force: true })
  const prebuilds = join(modules, '@serialport', 'bindings-cpp', 'prebuilds')
  if (existsSync(prebuilds))
    for (const target of readdirSync(prebuilds))
      if (!target.startsWith('linux-')) rmSync(join(prebuilds, target), { recursive: true, force: true })
}

function du(path: string): number {
  if (!existsSync(path)) return 0
  const s = statSync(path)
  if (!s.isDirectory()) return s.size
  return readdirSync(path).reduce((sum, name) => sum + du(join(path, name)), 0)
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-install': { type: 'boolean' } } })
  const r = await buildAgent({ outDir: values.out, install: !values['no-install'] })
  console.log(`bundle ${r.bundle}: ${mb(r.bundleBytes)}`)
  if (r.nodeModulesBytes !== undefined) console.log(`node_modules: ${mb(r.nodeModulesBytes)}`)
}
