// GS1 Application Identifiers: each AI's data length and character set, so an element string can be
// split into its fields. Source: the GS1 General Specifications AI table (§3) and the GS1 Barcode Syntax
// Dictionary. Notation: N digits, X GS1 CSET 82, Y CSET 39; 'N6' exactly 6, 'N..20' 1 to 20,
// 'X13..30' 13 to 30; a trailing '*' marks the AIs of the closed table "Element strings with predefined
// length using GS1 Application Identifiers" (00-03, 11-17, 20, 31nn-36nn, 41n), which need no FNC1
// after them. Every other AI is terminated by FNC1 (sent as GS, 0x1d) unless it ends the string.
// Fields made of parts (e.g. 421 = N3 + X..9) are one run here; their inner syntax is not checked.

export interface AiSpec {
  charset: 'N' | 'X' | 'Y'
  min: number
  max: number
  /** In the predefined-length table: exactly `max` characters, no separator needed. */
  predefined: boolean
  /** The whole value ends in a GS1 mod-10 check digit (SSCC, GTIN, GLN, GSIN, GSRN). */
  checkDigit: boolean
}

// Measures: 31nn-36nn, the 4th digit is the decimal point position (0-5).
const MEASURES = [
  ...[310, 311, 312, 313, 314, 315, 316],
  ...[320, 321, 322, 323, 324, 325, 326, 327, 328, 329],
  ...[330, 331, 332, 333, 334, 335, 336, 337],
  ...[340, 341, 342, 343, 344, 345, 346, 347, 348, 349],
  ...[350, 351, 352, 353, 354, 355, 356, 357],
  ...[360, 361, 362, 363, 364, 365, 366, 367, 368, 369],
].map((p): [string, string] => [`${p}0-${p}5`, 'N6*'])

const ENTRIES: [string, string][] = [
  ['00', 'N18*'], // SSCC
  ['01', 'N14*'], // GTIN
  ['02', 'N14*'], // GTIN of contained trade items
  ['03', 'N14*'], // GTIN of a made-to-order trade item
  ['10', 'X..20'], // batch or lot
  ['11-13', 'N6*'], // production, due, packaging date
  ['15-17', 'N6*'], // best before, sell by, expiry
  ['20', 'N2*'], // variant
  ['21', 'X..20'], // serial
  ['22', 'X..20'],
  ['235', 'X..28'],
  ['240-241', 'X..30'],
  ['242', 'N..6'],
  ['243', 'X..20'],
  ['250-251', 'X..30'],
  ['253', 'X13..30'],
  ['254', 'X..20'],
  ['255', 'N13..25'],
  ['30', 'N..8'], // variable count
  ...MEASURES,
  ['37', 'N..8'], // count of contained items
  ['3900-3909', 'N..15'],
  ['3910-3919', 'N4..18'],
  ['3920-3929', 'N..15'], // price, variable measure item
  ['3930-3939', 'N4..18'],
  ['3940-3943', 'N4'],
  ['3950-3955', 'N6'],
  ['400-401', 'X..30'],
  ['402', 'N17'],
  ['403', 'X..30'],
  ['410-417', 'N13*'], // GLNs
  ['420', 'X..20'],
  ['421', 'X4..12'],
  ['422', 'N3'],
  ['423', 'N..15'],
  ['424', 'N3'],
  ['425', 'N..15'],
  ['426', 'N3'],
  ['427', 'X..3'],
  ['4300-4301', 'X..35'],
  ['4302-4306', 'X..70'],
  ['4307', 'X2'],
  ['4308', 'X..30'],
  ['4309', 'N20'],
  ['4310-4311', 'X..35'],
  ['4312-4316', 'X..70'],
  ['4317', 'X2'],
  ['4318', 'X..20'],
  ['4319', 'X..30'],
  ['4320', 'X..35'],
  ['4321-4323', 'N1'],
  ['4324-4325', 'N10'],
  ['4326', 'N6'],
  ['4330-4333', 'X6..7'],
  ['7001', 'N13'],
  ['7002', 'X..30'],
  ['7003', 'N10'],
  ['7004', 'N..4'],
  ['7005', 'X..12'],
  ['7006', 'N6'],
  ['7007', 'N6..12'],
  ['7008', 'X..3'],
  ['7009', 'X..10'],
  ['7010', 'X..2'],
  ['7011', 'N6..10'],
  ['7020-7022', 'X..20'],
  ['7023', 'X..30'],
  ['7030-7039', 'X4..30'],
  ['7040', 'X4'],
  ['710-715', 'X..20'], // national healthcare reimbursement numbers
  ['7230-7239', 'X3..30'],
  ['7240', 'X..20'],
  ['7241', 'N2'],
  ['7242', 'X..25'],
  ['8001', 'N14'],
  ['8002', 'X..20'],
  ['8003', 'X14..30'],
  ['8004', 'X..30'],
  ['8005', 'N6'],
  ['8006', 'N18'],
  ['8007', 'X..34'],
  ['8008', 'N8..12'],
  ['8009', 'X..50'],
  ['8010', 'Y..30'],
  ['8011', 'N..12'],
  ['8012', 'X..20'],
  ['8013', 'X..25'],
  ['8017-8018', 'N18'],
  ['8019', 'N..10'],
  ['8020', 'X..25'],
  ['8026', 'N18'],
  ['8030', 'X..90'],
  ['8110', 'X..70'],
  ['8111', 'N4'],
  ['8112', 'X..70'],
  ['8200', 'X..70'],
  ['90', 'X..30'], // internal
  ['91-99', 'X..90'], // internal
]

/** AIs whose whole value ends in a check digit. */
const CHECKED = new Set([
  '00',
  '01',
  '02',
  '03',
  '402',
  '410',
  '411',
  '412',
  '413',
  '414',
  '415',
  '416',
  '417',
  '8017',
  '8018',
])

const SPEC_RE = /^([NXY])(\d*)(?:\.\.(\d+))?(\*)?$/

function parseSpec(ai: string, spec: string): AiSpec {
  const m = SPEC_RE.exec(spec)
  if (m === null) throw new Error(`bad AI spec ${ai}: ${spec}`)
  const [, charset, lo, hi, star] = m
  const fixed = hi === undefined
  const max = Number(fixed ? lo : hi)
  const min = fixed ? max : lo === '' ? 1 : Number(lo)
  return {
    charset: charset as AiSpec['charset'],
    min,
    max,
    predefined: star === '*',
    checkDigit: CHECKED.has(ai),
  }
}

const TABLE = new Map<string, AiSpec>()
for (const [range, spec] of ENTRIES) {
  const [from, to = from] = range.split('-') as [string, string?]
  for (let n = Number(from); n <= Number(to); n++) {
    const ai = String(n).padStart(from.length, '0')
    TABLE.set(ai, parseSpec(ai, spec))
  }
}

/** The AI starting at `text[at]` (AIs are prefix-free: at most one of the 2-, 3- and 4-digit reads). */
export function lookupAi(text: string, at: number): { ai: string; spec: AiSpec } | undefined {
  for (const len of [2, 3, 4]) {
    const ai = text.slice(at, at + len)
    const spec = TABLE.get(ai)
    if (spec !== undefined) return { ai, spec }
  }
  return undefined
}

/** The spec of a whole AI (as written between parentheses), or undefined if unknown. */
export function aiSpec(ai: string): AiSpec | undefined {
  return TABLE.get(ai)
}

// GS1 CSET 82 (General Specifications, "GS1 AI encodable character set 82") and CSET 39.
const CHARSETS: Record<AiSpec['charset'], RegExp> = {
  N: /^\d+$/,
  X: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/,
  Y: /^[#\-/0-9A-Z]+$/,
}

export function valueFits(spec: AiSpec, value: string): boolean {
  return CHARSETS[spec.charset].test(value)
}
