#!/usr/bin/env node
// Runs every test file in its own Node process (a crashed or hung file cannot take the others with it),
// a few at a time, and ends with the one summary line CI reads: `N passed, N failed, N skipped`.
// uvu prints a summary per process; we add them up. A file that exits non-zero without a summary
// counts as one failure, so a crash at import time is never silent.
//
// Then the suites that exercise distinct SQL run a second time against PostgreSQL
// (RELAIS_TEST_DATABASE=postgres: each test file starts a throwaway server, see
// scripts/testkit/test-database.ts), as their own section, counted in the same summary line. A whole run
// does it unless RELAIS_TEST_POSTGRES=off; a run of chosen files only with RELAIS_TEST_POSTGRES=on.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const roots = ['hardware/test', 'edge/test', 'cloud/test', 'simulators/test', 'scripts/test']
const jobs = Number(process.env.RELAIS_TEST_JOBS ?? 2)
const fileTimeoutMs = Number(process.env.RELAIS_TEST_TIMEOUT_MS ?? 10 * 60_000)
const filters = process.argv.slice(2)

// Storage, lists, pickups and rounds, webhooks, presence, fleet, ingest end to end: the suites whose SQL
// differs from one another's (the rest read through the same queries). Prefixes of repository paths.
const postgresSuites = [
  // ingest end to end
  'cloud/test/ingest.test.ts',
  'cloud/test/fuzz-ingest.test.ts',
  'cloud/test/scan-modes.test.ts',
  'cloud/test/undo-stacks.test.ts',
  'cloud/test/storage-bulk-lookup.test.ts',
  'cloud/test/e2e-cloud-process.test.ts',
  'scripts/test/agent-cloud-e2e.test.ts',
  // lists and the catalogue
  'cloud/test/http-lists.test.ts',
  'cloud/test/http-unknown.test.ts',
  'cloud/test/catalogue-import.test.ts',
  'cloud/test/catalogue-lookup.test.ts',
  // pickups, rounds, webhooks
  'cloud/test/http-pickups.test.ts',
  'cloud/test/http-pickups-events.test.ts',
  'cloud/test/pickups-press.test.ts',
  'cloud/test/pickups-rounds.test.ts',
  'cloud/test/pickups-rounds-days.test.ts',
  'cloud/test/pickups-rounds-cli.test.ts',
  'cloud/test/webhooks',
  // presence
  'cloud/test/presence-ingest.test.ts',
  'cloud/test/presence-erase.test.ts',
  'cloud/test/presence-retention.test.ts',
  'cloud/test/presence-allowlist.test.ts',
  'cloud/test/presence-cli.test.ts',
  // fleet, accounts, tokens
  'cloud/test/fleet-credentials.test.ts',
  'cloud/test/fleet-http-agents.test.ts',
  'cloud/test/fleet-registry-cli.test.ts',
  'cloud/test/accounts-cli.test.ts',
  'cloud/test/mosquitto-export.test.ts',
  'cloud/test/cli-token.test.ts',
  // the ops page's API (open-alert counts, registry joins)
  'cloud/test/ops-api.test.ts',
  // an alert acknowledged on a follower (a cluster's processes share PostgreSQL)
  'cloud/test/alerts-follower-ack.test.ts',
]
const postgresMode = process.env.RELAIS_TEST_POSTGRES ?? (filters.length === 0 ? 'on' : 'off')

function findTests(dir) {
  let out = []
  let entries
  try {
    entries = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of entries.sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out = out.concat(findTests(path))
    else if (name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const files = roots
  .flatMap((r) => findTests(join(root, r)))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '')
const totals = { passed: 0, failed: 0, skipped: 0 }
const failedFiles = []

function runFile(file, extraEnv = {}, label = '') {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    const timer = setTimeout(() => {
      out += `\n[test runner] killed after ${fileTimeoutMs} ms\n`
      child.kill('SIGKILL')
    }, fileTimeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const text = strip(out)
      const num = (label) => {
        const all = [...text.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))]
        return all.reduce((sum, m) => sum + Number(m[1]), 0)
      }
      const total = num('Total')
      const passed = num('Passed')
      const skipped = num('Skipped')
      let failed = Math.max(0, total - passed - skipped)
      if ((code !== 0 || signal) && failed === 0) failed = 1
      totals.passed += passed
      totals.failed += failed
      totals.skipped += skipped
      const rel = `${label}${relative(root, file)}`
      const secs = ((Date.now() - started) / 1000).toFixed(1)
      process.stdout.write(
        `\n=== ${rel} (${secs}s): ${passed} passed, ${failed} failed, ${skipped} skipped\n`,
      )
      if (failed > 0 || process.env.RELAIS_TEST_VERBOSE) process.stdout.write(text)
      else {
        for (const line of text.split('\n'))
          if (line.startsWith('RELAIS-SKIP')) process.stdout.write(`${line}\n`)
      }
      if (failed > 0) failedFiles.push(rel)
      resolve()
    })
  })
}

async function runAll(list, extraEnv, label) {
  const queue = [...list]
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      while (queue.length > 0) await runFile(queue.shift(), extraEnv, label)
    }),
  )
}

await runAll(files, {}, '')

// The PostgreSQL section (unless this whole run is on PostgreSQL already).
const pgFiles =
  postgresMode === 'off' || process.env.RELAIS_TEST_DATABASE === 'postgres'
    ? []
    : files.filter((f) => postgresSuites.some((p) => relative(root, f).startsWith(p)))
if (pgFiles.length > 0) {
  console.log(`\n--- PostgreSQL: ${pgFiles.length} suites again with RELAIS_TEST_DATABASE=postgres ---`)
  const base = '/usr/lib/postgresql'
  const found =
    existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, 'bin', 'postgres')))
  if (found) await runAll(pgFiles, { RELAIS_TEST_DATABASE: 'postgres' }, '[postgres] ')
  else if (process.env.RELAIS_REQUIRE_SERVICES === '1') {
    console.log('RELAIS_REQUIRE_SERVICES=1 but PostgreSQL not found (apt-get install postgresql)')
    totals.failed += 1
    failedFiles.push('[postgres] the PostgreSQL section')
  } else
    console.log('RELAIS-SKIP: PostgreSQL not found (apt-get install postgresql); this section is skipped')
}
if (files.length === 0) console.log('no test files found')
if (failedFiles.length > 0) console.log(`\nfailed files:\n  ${failedFiles.join('\n  ')}`)
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(totals.failed > 0 || files.length === 0 ? 1 : 0)
