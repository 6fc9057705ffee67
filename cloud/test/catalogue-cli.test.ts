import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'
import { databaseEnv, databaseEnvNow, openTestDatabase } from './support/database.js'

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data')

let tmp: string
function capture(isTTY = false) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: { RELAIS_DATA_DIR: tmp, ...databaseEnvNow(tmp) },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY,
  }
  return { ctx, out, err }
}

const t = suite('relais catalogue import')
t.before.each(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-catalogue-cli-'))
  await databaseEnv(tmp)
})
t.after.each(() => {
  rmSync(tmp, { recursive: true, force: true })
})

t('--json prints the report as one JSON line; the data dir gets the products', async () => {
  const { ctx, out, err } = capture()
  const file = join(DATA, 'off-sample.csv')
  assert.is(await main(['catalogue', 'import', file, '--json'], ctx), 0)
  assert.is(out.length, 1)
  const report = JSON.parse(out[0]!)
  assert.equal(
    [
      report.file,
      report.format,
      report.lines,
      report.imported,
      report.updated,
      report.unchanged,
      report.skipped,
    ],
    [file, 'csv', 400, 322, 0, 0, 78],
  )
  assert.equal(report.skippedReasons, { not_gtin: 11, bad_check_digit: 4, no_name: 63 })
  assert.type(report.durationMs, 'number')
  assert.is(err.length, 0) // not a terminal: no progress lines
  const db = await openTestDatabase(tmp)
  const n = await db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  await db.destroy()
  assert.is(Number(n.n), 322)
})

t('prints a short human summary and draws progress on a terminal', async () => {
  const { ctx, out, err } = capture(true)
  assert.is(await main(['catalogue', 'import', join(DATA, 'off-sample.jsonl'), '--format', 'jsonl'], ctx), 0)
  const text = out.join('\n')
  assert.match(text, /off-sample\.jsonl \(jsonl\): 100 rows/)
  assert.match(text, /imported 100 new, updated 0, unchanged 0, skipped 0/)
  assert.ok(err.length >= 1)
  assert.match(err[0]!, /^importing: 100 rows, [\d,]+ rows\/s$/)
})

t('wrong arguments are usage errors; a missing file is not_found', async () => {
  const a = capture()
  assert.is(await main(['catalogue', 'import'], a.ctx), 2)
  assert.match(a.err.join('\n'), /usage: relais catalogue import <file>/)
  const b = capture()
  assert.is(await main(['catalogue', 'import', join(DATA, 'off-sample.csv'), '--format', 'xml'], b.ctx), 2)
  const c = capture()
  assert.is(await main(['catalogue', 'import', join(tmp, 'missing.csv'), '--json'], c.ctx), 1)
  assert.is(JSON.parse(c.out[0]!).error, 'not_found')
})

t.run()
