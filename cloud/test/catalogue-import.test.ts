import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { importCatalogue } from '../src/catalogue/index.js'
import { RelaisError } from '../src/lib/errors.js'
import type { Db } from '../src/storage/db.js'
import { openTestDatabase } from './support/database.js'

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data')
const CSV = join(DATA, 'off-sample.csv')
const JSONL = join(DATA, 'off-sample.jsonl')

// --- An oracle written from the data README and GS1's rules, independent of the importer ------------
const csvText = readFileSync(CSV, 'utf8')
const [headerLine, ...csvLines] = csvText.split('\n').filter((l) => l !== '')
const header = headerLine!.split('\t')
const col = (name: string) => header.indexOf(name)
const csvRows = csvLines.map((l) => l.split('\t'))
const jsonRows = readFileSync(JSONL, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>)

const mod10 = (digits: string) => {
  let sum = 0
  for (let i = 0; i < digits.length - 1; i++)
    sum += Number(digits[digits.length - 2 - i]) * (i % 2 === 0 ? 3 : 1)
  return (10 - (sum % 10)) % 10 === Number(digits.at(-1))
}
/** UPC-E (number system 0/1 + 6 + check) to UPC-A, after the GS1 zero-suppression table. */
const upceToUpca = (c: string) => {
  const [ns, d, check] = [c[0]!, c.slice(1, 7), c[7]!]
  const last = d[5]!
  const middle =
    last <= '2'
      ? d.slice(0, 2) + last + '0000' + d.slice(2, 5)
      : last === '3'
        ? d.slice(0, 3) + '00000' + d.slice(3, 5)
        : last === '4'
          ? d.slice(0, 4) + '00000' + d[4]
          : d.slice(0, 5) + '0000' + last
  return ns + middle + check
}
/** The key a code is filed under, or why it is skipped. */
const expectedKey = (code: string): string => {
  if (code.length > 14) return 'not_gtin'
  if (mod10(code)) return code.padStart(14, '0')
  if (code.length === 8 && (code[0] === '0' || code[0] === '1') && mod10(upceToUpca(code)))
    return upceToUpca(code).padStart(14, '0')
  return 'bad_check_digit'
}

function expectedCsv() {
  const reasons: Record<string, number> = {}
  let imported = 0
  for (const r of csvRows) {
    const key = expectedKey(r[0]!)
    let reason: string | undefined = /^\d{14}$/.test(key) ? undefined : key
    if (
      reason === undefined &&
      r[col('product_name')]!.trim() === '' &&
      r[col('generic_name')]!.trim() === ''
    )
      reason = 'no_name'
    if (reason === undefined) imported++
    else reasons[reason] = (reasons[reason] ?? 0) + 1
  }
  return { imported, reasons }
}

// --- helpers -----------------------------------------------------------------------------------------
let tmp: string
let db: Db
const fresh = async () => {
  await db?.destroy()
  db = await openTestDatabase(mkdtempSync(join(tmp, 'db-')))
  return db
}
const product = (code: string) =>
  db.selectFrom('products').selectAll().where('code', '=', code).executeTakeFirst()
const count = async () =>
  Number(
    (
      await db
        .selectFrom('products')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
const write = (name: string, text: string) => {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}

const t = suite('catalogue import')
t.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'relais-catalogue-'))
})
t.after(async () => {
  await db?.destroy()
  rmSync(tmp, { recursive: true, force: true })
})

t('the sample files are what the data README describes', () => {
  assert.is(csvRows.length, 400)
  assert.ok(csvRows.every((r) => r.length === header.length))
  assert.is(csvRows.filter((r) => r[col('product_name')] === '').length, 66)
  assert.is(jsonRows.length, 100)
})

t('imports the CSV sample: valid GTINs with a name, every skip counted with its reason', async () => {
  await fresh()
  const r = await importCatalogue({ db, file: CSV })
  const want = expectedCsv()
  assert.is(r.format, 'csv')
  assert.is(r.lines, 400)
  assert.equal(r.skippedReasons, want.reasons)
  assert.is(r.imported, want.imported)
  // By hand from the README: 11 codes of 15-24 digits; 6 codes of 8/13 digits fail their check digit,
  // but 2 of the 8-digit ones are valid UPC-E (16925037, 10721504); 66 rows have no product_name, 2 of
  // them among those 4 bad codes, 1 with a generic_name (8000300379297), so 63 are nameless.
  assert.equal(r.skippedReasons, { not_gtin: 11, bad_check_digit: 4, no_name: 63 })
  assert.is(r.imported, 322)
  assert.is(r.updated + r.unchanged, 0)
  assert.is(r.skipped, 78)
  assert.is(r.imported + r.skipped, r.lines)
  assert.is(await count(), 322)
})

t('keeps quotes, leading zeros and the CSV image; cleans brands and tag placeholders', async () => {
  const bo = await product('00005216438517')
  assert.is(bo?.name, 'Coconut Tree Brand, Vegetarian "Bo Kho" Seasoning')
  assert.is(bo?.source, 'off-csv')
  assert.ok((await product('00008295663801'))?.name?.startsWith('Fig condiment'))
  const tetley = await product('00000208066259')
  assert.is(tetley?.brands, 'Tetley, American Power Products Inc.')
  assert.is(tetley?.categories, null) // the CSV holds only `en:null`
  // 8-digit EAN-8 and UPC-E codes are filed under their GTIN-14.
  assert.is((await product('00169200000507'))?.name, 'Sparx Popping Candy')
  // In-store codes (restricted circulation) are valid GTINs: imported like any other.
  assert.is((await product('00201415107586'))?.name, 'Petit Basque')
  assert.is((await product('00000020331726'))?.name, 'Chapon aux girolles')
  const nutella = csvRows.find((r) => r[0] === '0000101209159')!
  const stored = await product('00000101209159')
  assert.is(stored?.image_url, nutella[col('image_url')])
  assert.is(stored?.categories, nutella[col('categories_tags')])
  assert.is(stored?.quantity, '350 g')
})

t('re-importing the same CSV changes nothing', async () => {
  const before = await db.selectFrom('products').select(['code', 'updated_at']).orderBy('code').execute()
  const r = await importCatalogue({ db, file: CSV })
  assert.is(r.unchanged, 322)
  assert.is(r.imported + r.updated, 0)
  assert.equal(
    await db.selectFrom('products').select(['code', 'updated_at']).orderBy('code').execute(),
    before,
  )
})

t('the JSONL after the CSV adds its language, keeps the CSV images, adds its 11 own products', async () => {
  const r = await importCatalogue({ db, file: JSONL })
  assert.is(r.format, 'jsonl')
  // Every JSONL object has a lang the CSV lacks, so each of the 89 shared products changes.
  assert.equal([r.imported, r.updated, r.unchanged, r.skipped], [11, 89, 0, 0])
  const stored = await product('00000101209159')
  assert.is(stored?.lang, 'fr')
  assert.is(stored?.source, 'off-jsonl')
  assert.ok(stored?.image_url?.startsWith('https://images.openfoodfacts.org/'))
})

t('imports the JSONL sample alone: 100 products, placeholders dropped', async () => {
  await fresh()
  const r = await importCatalogue({ db, file: JSONL })
  assert.equal([r.lines, r.imported, r.skipped], [100, 100, 0])
  const tea = await product('00000105000011')
  assert.equal([tea?.name, tea?.categories, tea?.lang], ['Chamomile Herbal Tea', null, 'en'])
  assert.is((await importCatalogue({ db, file: JSONL })).unchanged, 100)
})

t('both importers give the 89 shared codes the same name, brands and quantity', async () => {
  const jsonlDb = db
  const fromJsonl = await jsonlDb.selectFrom('products').selectAll().execute()
  db = await openTestDatabase(mkdtempSync(join(tmp, 'db-')))
  await importCatalogue({ db, file: CSV })
  const csvCodes = new Set(csvRows.map((r) => r[0]))
  const shared = jsonRows.filter((j) => csvCodes.has(j.code as string)).map((j) => `0${j.code}`)
  assert.is(shared.length, 89)
  for (const code of shared) {
    const a = fromJsonl.find((p) => p.code === code)
    const b = await product(code)
    assert.ok(a !== undefined && b !== undefined, code)
    assert.equal([b?.name, b?.brands, b?.quantity], [a?.name, a?.brands, a?.quantity], code)
  }
  await jsonlDb.destroy()
})

t(
  'a product edited by a later file is updated; a code repeated in a file counts once, last wins',
  async () => {
    await fresh()
    const line = (code: string, name: string) => JSON.stringify({ code, product_name: name, brands: 'B' })
    await importCatalogue({ db, file: write('a.jsonl', `${line('3017620422003', 'Nutella')}\n`) })
    const later = [
      line('3017620422003', 'Nutella 400 g'),
      line('5901234123457', 'One'),
      line('5901234123457', 'Two'),
    ]
    const r = await importCatalogue({ db, file: write('b.jsonl', `${later.join('\n')}\n`) })
    assert.equal([r.imported, r.updated, r.unchanged], [1, 1, 0])
    assert.equal(r.skippedReasons, { duplicate_code: 1 })
    assert.equal(r.skippedExamples, { duplicate_code: [2] })
    assert.is((await product('03017620422003'))?.name, 'Nutella 400 g')
    assert.is((await product('05901234123457'))?.name, 'Two')
    // Across batches too: the first write is counted, the later one wins as a duplicate.
    const spread = [
      line('4006381333931', 'First'),
      line('9780201379624', 'Book'),
      line('4006381333931', 'Last'),
    ]
    const s = await importCatalogue({ db, file: write('c.jsonl', spread.join('\n')), batchSize: 2 })
    assert.equal([s.imported, s.skippedReasons], [2, { duplicate_code: 1 }])
    assert.is((await product('04006381333931'))?.name, 'Last')
  },
)

t('a corrupted CSV imports every good row and reports the bad lines', async () => {
  await fresh()
  const good = csvLines.slice(0, 20)
  const lines = [headerLine, ...good.slice(0, 5), good[5]!.slice(0, 300), 'garbage', ...good.slice(6, 19)]
  lines.push(good[19]!.slice(0, 100)) // cut off mid-line, no final newline
  const r = await importCatalogue({ db, file: write('broken.csv', lines.join('\n')) })
  assert.is(r.lines, 21)
  assert.equal(r.skippedReasons.bad_columns, 3)
  assert.equal(r.skippedExamples.bad_columns, [7, 8, 22])
  const goodRows = [...good.slice(0, 5), ...good.slice(6, 19)].map((l) => l.split('\t'))
  const named = (row: string[]) => row[col('product_name')] !== '' || row[col('generic_name')] !== ''
  const wantGood = goodRows.filter((row) => /^\d{14}$/.test(expectedKey(row[0]!)) && named(row))
  assert.is(r.imported, wantGood.length)
  assert.is(r.imported + r.skipped, r.lines)
})

t('a corrupted JSONL imports the rest and reports bad JSON by line', async () => {
  await fresh()
  const src = readFileSync(JSONL, 'utf8').split('\n').slice(0, 10)
  const lines = [
    src[0],
    src[1]!.slice(0, 40),
    '{"code": "0000105000011", oops}',
    '[1,2]',
    '',
    ...src.slice(2),
  ]
  const r = await importCatalogue({ db, file: write('broken.jsonl', lines.join('\n')) })
  assert.equal(r.skippedReasons, { bad_json: 2, not_object: 1 })
  assert.equal(r.skippedExamples, { bad_json: [2, 3], not_object: [4] })
  assert.is(r.imported, 9) // src[0] and src[2..9]; src[1] was the truncated one
  assert.is(r.lines, 12) // the blank line is not a row
})

t('a line too long to be a product is skipped without being buffered', async () => {
  await fresh()
  const src = readFileSync(JSONL, 'utf8').split('\n').slice(0, 3)
  const huge = `{"code":"3017620422003","product_name":"${'x'.repeat(5 << 20)}"}`
  const r = await importCatalogue({
    db,
    file: write('huge.jsonl', [src[0], huge, src[1], src[2]].join('\n')),
  })
  assert.equal(
    [r.lines, r.imported, r.skippedReasons, r.skippedExamples],
    [4, 3, { line_too_long: 1 }, { line_too_long: [2] }],
  )
})

t('reads .gz exports and guesses the format from the first line', async () => {
  await fresh()
  const gz = join(tmp, 'products.jsonl.gz')
  writeFileSync(gz, gzipSync(readFileSync(JSONL)))
  assert.equal((await importCatalogue({ db, file: gz })).imported, 100)
  await fresh()
  const noExt = write('export-csv', csvText)
  const r = await importCatalogue({ db, file: noExt })
  assert.equal([r.format, r.imported], ['csv', 322])
  const asJsonl = write('export-jsonl', readFileSync(JSONL, 'utf8'))
  assert.is((await importCatalogue({ db, file: asJsonl })).format, 'jsonl')
})

t('refuses a CSV whose header is not an OFF export, and a missing file', async () => {
  const bad = write('other.csv', 'id\tname\n1\tx\n')
  try {
    await importCatalogue({ db, file: bad })
    assert.unreachable()
  } catch (err) {
    assert.instance(err, RelaisError)
    assert.is((err as RelaisError).code, 'bad_file')
  }
  try {
    await importCatalogue({ db, file: join(tmp, 'nope.csv') })
    assert.unreachable()
  } catch (err) {
    assert.is((err as NodeJS.ErrnoException).code, 'ENOENT')
  }
})

t.run()
