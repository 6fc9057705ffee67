// The barcode table: what each kind of input becomes. Expected GTINs and UPC-E expansions were worked
// out by hand (mod-10 weights 3/1 from the right; UPC-E zero suppression by last digit), not produced
// by the code under test.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type BarcodeInfo,
  expandUpce,
  gtinCheckDigit,
  type ParseBarcodeOptions,
  parseBarcode,
} from '../src/index.js'

interface Row {
  label: string
  input: string
  opts?: ParseBarcodeOptions
  /** Every field except `error` and `code`, exactly. */
  want: Omit<BarcodeInfo, 'code' | 'error'>
  /** A substring the error must contain; absent means no error. */
  error?: string
}

const GS = '\x1d'
const dataOf = (input: string) => input.trim().replace(/^\][A-Za-z][0-9A-Za-z]/, '')
const aimOf = (input: string) => /^\][A-Za-z][0-9A-Za-z]/.exec(input.trim())?.[0]
const withAim = (input: string, w: Row['want']): Row['want'] => {
  const aim = aimOf(input)
  return aim === undefined ? w : { ...w, aim }
}

function ok(
  label: string,
  input: string,
  symbology: BarcodeInfo['symbology'],
  display: string,
  gtin: string,
  more: Partial<Row['want']> & { opts?: ParseBarcodeOptions } = {},
): Row {
  const { opts, ...rest } = more
  const want = withAim(input, {
    valid: true,
    gtin,
    symbology,
    display,
    key: gtin,
    restricted: false,
    ...rest,
  })
  return opts === undefined ? { label, input, want } : { label, input, opts, want }
}

/** GTIN-shaped but wrong: no gtin, no key. */
function bad(
  label: string,
  input: string,
  symbology: BarcodeInfo['symbology'],
  error: string,
  more: Partial<Row['want']> & { opts?: ParseBarcodeOptions } = {},
): Row {
  const { opts, ...rest } = more
  const want = withAim(input, {
    valid: false,
    gtin: null,
    symbology,
    display: dataOf(input),
    key: null,
    ...rest,
  })
  return opts === undefined ? { label, input, want, error } : { label, input, opts, want, error }
}

/** Not a GTIN: kept under its own key. */
function plain(label: string, input: string, error: string, more: Partial<Row['want']> = {}): Row {
  const data = dataOf(input)
  const want = withAim(input, {
    valid: false,
    gtin: null,
    symbology: 'plain',
    display: data,
    key: data,
    ...more,
  })
  return { label, input, want, error }
}

/** Cannot be filed at all. */
function unusable(label: string, input: string, error: string, more: Partial<Row['want']> = {}): Row {
  return bad(label, input, 'plain', error, more)
}

const rows: Row[] = [
  // EAN-13
  ok('EAN-13 (Nutella)', '3017620422003', 'ean13', '3017620422003', '03017620422003'),
  ok('EAN-13', '4006381333931', 'ean13', '4006381333931', '04006381333931'),
  ok('EAN-13 (Coca-Cola)', '5449000000996', 'ean13', '5449000000996', '05449000000996'),
  ok('EAN-13 with leading zeros (OFF)', '0000101209159', 'ean13', '0000101209159', '00000101209159'),
  ok('ISBN as EAN-13', '9780306406157', 'ean13', '9780306406157', '09780306406157'),
  ok('EAN-13 prefix 20 is restricted', '2000000000008', 'ean13', '2000000000008', '02000000000008', {
    restricted: true,
  }),
  ok('EAN-13 prefix 02 is restricted', '0201415107586', 'ean13', '0201415107586', '00201415107586', {
    restricted: true,
  }),
  ok('EAN-13 prefix 04 is restricted', '0401234567893', 'ean13', '0401234567893', '00401234567893', {
    restricted: true,
  }),
  bad('EAN-13, last digit wrong', '3017620422004', 'ean13', 'check digit is 4, expected 3'),
  bad('EAN-13, one digit misread', '4006381333932', 'ean13', 'check digit is 2, expected 1'),
  bad('EAN-13 from OFF with a wrong check digit', '1000000000064', 'ean13', 'check digit is 4, expected 1'),
  // EAN-8
  ok('EAN-8', '96385074', 'ean8', '96385074', '00000096385074'),
  ok('EAN-8', '65359945', 'ean8', '65359945', '00000065359945'),
  ok('EAN-8 starting with 2 is restricted', '20331726', 'ean8', '20331726', '00000020331726', {
    restricted: true,
  }),
  ok(
    '8 digits valid as EAN-8 and as UPC-E read as EAN-8 by default',
    '01234565',
    'ean8',
    '01234565',
    '00000001234565',
    {
      restricted: true,
    },
  ),
  bad('EAN-8, wrong check digit, cannot be UPC-E', '96385075', 'ean8', 'check digit is 5, expected 4'),
  bad(
    'EAN-8 from OFF, wrong either way',
    '00068010',
    'ean8',
    'check digit is 0, expected 7 (nor a valid UPC-E)',
  ),
  // UPC-A
  ok('UPC-A', '036000291452', 'upca', '036000291452', '00036000291452'),
  ok('UPC-A', '012345678905', 'upca', '012345678905', '00012345678905'),
  ok('UPC-A number system 2 is variable measure', '212345678909', 'upca', '212345678909', '00212345678909', {
    restricted: true,
  }),
  bad('UPC-A, wrong check digit', '036000291453', 'upca', 'check digit is 3, expected 2'),
  // UPC-E, one row per zero-suppression rule
  ok('UPC-E ending 0: d1 d2 0 0000 d3 d4 d5', '01234505', 'upce', '012000003455', '00012000003455'),
  ok('UPC-E ending 1', '01234514', 'upce', '012100003454', '00012100003454'),
  ok('UPC-E ending 2 (Budweiser)', '01801624', 'upce', '018200000164', '00018200000164'),
  ok('UPC-E ending 3: d1 d2 d3 00000 d4 d5', '01234531', 'upce', '012300000451', '00012300000451'),
  ok('UPC-E ending 4: d1 d2 d3 d4 00000 d5', '01234543', 'upce', '012340000053', '00012340000053'),
  ok('UPC-E ending 5-9 under ]E0: d1..d5 0000 d6', ']E001234558', 'upce', '012345000058', '00012345000058'),
  ok(
    'UPC-E under ]E0 (also a valid EAN-8 without it)',
    ']E001234565',
    'upce',
    '012345000065',
    '00012345000065',
  ),
  ok('UPC-E forced by the hint', '01234565', 'upce', '012345000065', '00012345000065', {
    opts: { hint: 'upce' },
  }),
  ok(
    'UPC-E, 6 digits: number system 0 assumed, check computed',
    '123456',
    'upce',
    '012345000065',
    '00012345000065',
  ),
  ok('UPC-E, 7 digits: number system + 6', '0123456', 'upce', '012345000065', '00012345000065'),
  ok('UPC-E, number system 1', '1123456', 'upce', '112345000062', '00112345000062'),
  bad(
    'UPC-E under ]E0 with a wrong check digit',
    ']E001234566',
    'upce',
    'UPC-E check digit is 6, expected 5',
  ),
  bad(
    ']E0 + 8 digits with number system 9 is no UPC-E',
    ']E096385074',
    'upce',
    'number system must be 0 or 1',
  ),
  bad('hint ean8 keeps a UPC-E-looking code as EAN-8', '01801624', 'ean8', 'check digit is 4, expected 0', {
    opts: { hint: 'ean8' },
  }),
  plain('7 digits with number system 5 is not UPC-E', '5123456', 'not a GTIN: 7 digits'),
  // GTIN-14
  ok(
    'GTIN-14 with indicator 1 reads as 14 digits',
    '10012345678902',
    'gtin14',
    '10012345678902',
    '10012345678902',
  ),
  ok(
    'GTIN-14 with indicator 0 reads as 13 digits',
    '00012345678905',
    'gtin14',
    '0012345678905',
    '00012345678905',
  ),
  ok('ITF-14 under ]I1', ']I110012345678902', 'gtin14', '10012345678902', '10012345678902'),
  bad('GTIN-14, wrong check digit', '10012345678903', 'gtin14', 'check digit is 3, expected 2'),
  // GS1 element strings
  ok(
    'GS1-128 under ]C1 with GS separators',
    `]C10103017620422003${GS}17261231${GS}10LOT1`,
    'gtin14',
    '3017620422003',
    '03017620422003',
    { ai: { '01': '03017620422003', '17': '261231', '10': 'LOT1' } },
  ),
  ok(
    'GS1 in parentheses',
    '(01)03017620422003(17)261231(10)LOT1',
    'gtin14',
    '3017620422003',
    '03017620422003',
    { ai: { '01': '03017620422003', '17': '261231', '10': 'LOT1' } },
  ),
  ok(
    'GS1 with a GS and no AIM id',
    `0103017620422003${GS}10L7`,
    'gtin14',
    '3017620422003',
    '03017620422003',
    {
      ai: { '01': '03017620422003', '10': 'L7' },
    },
  ),
  ok(
    'GS1 fixed fields need no GS: 01 then 17 then 10',
    ']C1010301762042200317261231' + '10AB',
    'gtin14',
    '3017620422003',
    '03017620422003',
    {
      ai: { '01': '03017620422003', '17': '261231', '10': 'AB' },
    },
  ),
  ok(
    'GS1 DataMatrix with leading FNC1 and a serial',
    `]d2${GS}0110012345678902${GS}21SER-1`,
    'gtin14',
    '10012345678902',
    '10012345678902',
    { ai: { '01': '10012345678902', '21': 'SER-1' } },
  ),
  ok(
    'GS1 DataBar with a net weight',
    ']e001000123456789053103000450',
    'gtin14',
    '0012345678905',
    '00012345678905',
    {
      ai: { '01': '00012345678905', '3103': '000450' },
    },
  ),
  ok(
    'GS1 QR, AI 02 when there is no 01',
    ']Q30210012345678902' + '3712',
    'gtin14',
    '10012345678902',
    '10012345678902',
    {
      ai: { '02': '10012345678902', '37': '12' },
    },
  ),
  ok('GS1 with an internal AI 99', '(01)03017620422003(99)ABC', 'gtin14', '3017620422003', '03017620422003', {
    ai: { '01': '03017620422003', '99': 'ABC' },
  }),
  bad(
    'GS1 whose GTIN has a wrong check digit',
    ']C1010301762042200417261231',
    'gtin14',
    'AI 01: check digit is 4, expected 3',
    {
      display: '3017620422004',
      ai: { '01': '03017620422004', '17': '261231' },
    },
  ),
  bad(
    'GS1 with a good 01 but a wrong 02',
    '(01)03017620422003(02)10012345678903',
    'gtin14',
    'AI 02: check digit is 3',
    {
      display: '3017620422003',
      ai: { '01': '03017620422003', '02': '10012345678903' },
    },
  ),
  plain('GS1 SSCC label: well formed, no GTIN', ']C100123456789012345675', 'no AI 01 or 02', {
    display: '(00)123456789012345675',
    key: '(00)123456789012345675',
    ai: { '00': '123456789012345675' },
  }),
  unusable(
    'GS1, lot longer than 20',
    `]C10103017620422003${GS}10${'L'.repeat(21)}`,
    'AI 10 needs 1-20 characters, got 21',
  ),
  unusable('GS1, truncated GTIN', ']C1019', 'AI 01 needs 14 characters, got 1'),
  unusable('GS1, unknown AI', ']C10103017620422003' + '04123', 'unknown application identifier'),
  unusable(
    'GS1, SSCC with a wrong check digit',
    '(00)123456789012345674',
    'AI 00: check digit is 4, expected 5',
  ),
  unusable('GS1, the same AI twice', '(01)03017620422003(01)03017620422003', 'AI 01 appears twice'),
  unusable('GS1 AIM id with no data', ']C1', 'nothing after the AIM identifier ]C1'),
  unusable('a GS in a code that is no element string', `ABC${GS}DEF`, 'GS1 element string'),
  plain(
    'bare digits starting with 01 are not reinterpreted as GS1',
    '0103017620422003',
    'not a GTIN: 16 digits',
  ),
  plain('nor longer ones', '010301762042200317261231', 'not a GTIN: 24 digits'),
  // AIM ids of other symbologies, and the EAN/UPC ones
  plain('Code 128 without FNC1', ']C0ABC-123', 'not a GTIN: not all digits'),
  plain('Code 39', ']A0HELLO', 'not a GTIN: not all digits'),
  ok('EAN-13 under ]E0', ']E03017620422003', 'ean13', '3017620422003', '03017620422003'),
  ok('UPC-A under ]E0', ']E0036000291452', 'upca', '036000291452', '00036000291452'),
  ok('EAN-8 under ]E4', ']E496385074', 'ean8', '96385074', '00000096385074'),
  ok(']E4 reads EAN-8 even when UPC-E would also fit', ']E401234565', 'ean8', '01234565', '00000001234565', {
    restricted: true,
  }),
  ok('the AIM id wins over the hint', ']E001234565', 'upce', '012345000065', '00012345000065', {
    opts: { hint: 'ean8' },
  }),
  bad(']E4 does not fall back to UPC-E', ']E401801624', 'ean8', 'check digit is 4, expected 0'),
  // plain codes: kept, never corrected
  plain('a store label', 'ABC-123', 'not a GTIN: not all digits'),
  plain('OFF 24-digit code', '231049210061200404002476', 'not a GTIN: 24 digits'),
  plain('OFF 15-digit code (EAN-13 + 2-digit add-on?)', '356470659479102', 'not a GTIN: 15 digits'),
  plain('5 digits', '12345', 'not a GTIN: 5 digits'),
  plain('full-width digits are not digits', '３０１７６２０４２２００３', 'not all digits'),
  // whitespace and control characters
  ok('surrounding whitespace is trimmed', '  3017620422003\r\n', 'ean13', '3017620422003', '03017620422003'),
  unusable('a space inside', '30176 20422003', 'contains whitespace (U+0020) at offset 5'),
  unusable('a tab inside', '3017\t620422003', 'contains whitespace (U+0009) at offset 4'),
  unusable('a trailing NUL', '3017620422003\x00', 'control or format character (U+0000) at offset 13'),
  unusable('a zero-width space', '\u200b3017620422003', 'control or format character (U+200B) at offset 0'),
  unusable('a non-breaking space inside', 'ABC\u00a0123', 'contains whitespace (U+00A0)'),
  unusable('empty', '', 'empty code'),
  unusable('only whitespace', ' \t ', 'empty code', { display: '' }),
]

const t = suite('parseBarcode: the barcode table')

for (const row of rows) {
  t(`${row.label}: ${JSON.stringify(row.input)}`, () => {
    const got = parseBarcode(row.input, row.opts)
    const { code, error, ...rest } = got
    assert.is(code, row.input, 'code is the input exactly as given')
    assert.equal(rest, row.want)
    if (row.error === undefined) assert.is(error, undefined)
    else
      assert.ok(
        error?.includes(row.error),
        `error ${JSON.stringify(error)} should contain ${JSON.stringify(row.error)}`,
      )
  })
}

t('the table has at least 40 rows and covers every symbology', () => {
  assert.ok(rows.length >= 40)
  const seen = new Set(rows.map((r) => r.want.symbology))
  assert.equal([...seen].sort(), ['ean13', 'ean8', 'gtin14', 'plain', 'upca', 'upce'])
})

const u = suite('expandUpce and gtinCheckDigit')

u('expands each last-digit rule', () => {
  assert.is(expandUpce('123450'), '012000003455')
  assert.is(expandUpce('123451'), '012100003454')
  assert.is(expandUpce('123452'), '012200003453')
  assert.is(expandUpce('123453'), '012300000451')
  assert.is(expandUpce('123454'), '012340000053')
  assert.is(expandUpce('123455'), '012345000058')
  assert.is(expandUpce('123459'), '012345000096')
})

u('accepts 6, 7 and 8 digits; carries an 8-digit check digit over as read, never fixes it', () => {
  assert.is(expandUpce('123456'), '012345000065')
  assert.is(expandUpce('1123456'), '112345000062')
  assert.is(expandUpce('01234565'), '012345000065')
  assert.is(expandUpce('01234567'), '012345000067')
})

u('returns undefined for what is not a UPC-E', () => {
  for (const x of ['', '12345', '012345678', '2123456', '91234565', '12a456', ' 123456']) {
    assert.is(expandUpce(x), undefined, x)
  }
})

u('computes the GS1 mod-10 check digit for any length', () => {
  assert.is(gtinCheckDigit('301762042200'), 3)
  assert.is(gtinCheckDigit('9638507'), 4)
  assert.is(gtinCheckDigit('03600029145'), 2)
  assert.is(gtinCheckDigit('1001234567890'), 2)
  assert.is(gtinCheckDigit('12345678901234567'), 5)
  assert.is(gtinCheckDigit('0'), 0)
})

u('refuses what is not digits', () => {
  for (const x of ['', '12a', ' 1', '１２']) assert.throws(() => gtinCheckDigit(x), RangeError)
})

t.run()
u.run()
