#!/usr/bin/env node
// Runs every test file in its own Node process (a crashed or hung file cannot take the others with it),
// a few at a time, and ends with the one summary line CI reads: `N passed, N failed, N skipped`.
// uvu prints a summary per process; we add them up. A file that exits non-zero without a summary
// counts as one failure, so a crash at import time is never silent.
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const roots = ['hardware/test', 'edge/test', 'cloud/test', 'simulators/test', 'scripts/test']
const jobs = Number(process.env.RELAIS_TEST_JOBS ?? 2)
const fileTimeoutMs = Number(process.env.RELAIS_TEST_TIMEOUT_MS ?? 10 * 60_000)
const filters = process.argv.slice(2)

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

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
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
      const rel = relative(root, file)
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

const queue = [...files]
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    while (queue.length > 0) await runFile(queue.shift())
  }),
)
if (files.length === 0) console.log('no test files found')
if (failedFiles.length > 0) console.log(`\nfailed files:\n  ${failedFiles.join('\n  ')}`)
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
process.exit(totals.failed > 0 || files.length === 0 ? 1 : 0)
