// `relais barcode`: in process through main() with a capturing context, and once as the real bin.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')

function capture() {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: {},
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  return { ctx, out, err }
}

async function barcode(...args: string[]) {
  const { ctx, out, err } = capture()
  const code = await main(['barcode', ...args], ctx)
  return { code, lines: out.map((l) => JSON.parse(l) as Record<string, unknown>), err }
}

const t = suite('relais barcode')

t('prints one JSON line per code, in order, and exits 0 even for invalid codes', async () => {
  const { code, lines, err } = await barcode('3017620422003', '3017620422004', 'ABC-123')
  assert.is(code, 0)
  assert.is(err.length, 0)
  assert.equal(lines, [
    {
      code: '3017620422003',
      valid: true,
      gtin: '03017620422003',
      symbology: 'ean13',
      display: '3017620422003',
      key: '03017620422003',
      restricted: false,
    },
    {
      code: '3017620422004',
      valid: false,
      gtin: null,
      symbology: 'ean13',
      display: '3017620422004',
      key: null,
      error: 'check digit is 4, expected 3',
    },
    {
      code: 'ABC-123',
      valid: false,
      gtin: null,
      symbology: 'plain',
      display: 'ABC-123',
      key: 'ABC-123',
      error: 'not a GTIN: not all digits',
    },
  ])
})

t('shows the AIM id and the GS1 application identifiers', async () => {
  const { lines } = await barcode(']C10103017620422003\x1d17261231\x1d10LOT1')
  assert.is(lines.length, 1)
  assert.is(lines[0]!.gtin, '03017620422003')
  assert.is(lines[0]!.symbology, 'gtin14')
  assert.is(lines[0]!.aim, ']C1')
  assert.equal(lines[0]!.ai, { '01': '03017620422003', '17': '261231', '10': 'LOT1' })
})

t('prints JSON lines with --json too', async () => {
  const { lines } = await barcode('96385074', '--json')
  assert.is(lines.length, 1)
  assert.is(lines[0]!.symbology, 'ean8')
})

t('--upce reads an 8-digit code as UPC-E, --ean8 as EAN-8', async () => {
  assert.is((await barcode('01234565')).lines[0]!.symbology, 'ean8')
  const upce = (await barcode('--upce', '01234565')).lines[0]!
  assert.is(upce.symbology, 'upce')
  assert.is(upce.display, '012345000065')
  const ean8 = (await barcode('--ean8', '01801624')).lines[0]!
  assert.is(ean8.symbology, 'ean8')
  assert.is(ean8.valid, false)
})

t('a code that starts with "-" goes after --', async () => {
  const { code, lines } = await barcode('--', '-12')
  assert.is(code, 0)
  assert.is(lines[0]!.key, '-12')
})

t('no code, an unknown option or both hints is a usage error (exit 2)', async () => {
  for (const args of [[], ['--nope', '3017620422003'], ['--upce', '--ean8', '01234565']]) {
    const { code, lines, err } = await barcode(...args)
    assert.is(code, 2, args.join(' '))
    assert.is(lines.length, 0)
    assert.ok(err.some((l) => l.startsWith('usage: relais barcode')))
  }
})

t('the real bin, run from the repository root', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['cloud/bin/relais.mjs', 'barcode', '3017620422003', ']E001234565'],
    { cwd: root },
  )
  assert.is(stderr, '')
  const lines = stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.is(lines.length, 2)
  assert.equal(
    lines.map((l) => [l.code, l.valid, l.gtin, l.symbology, l.display, l.aim]),
    [
      ['3017620422003', true, '03017620422003', 'ean13', '3017620422003', undefined],
      [']E001234565', true, '00012345000065', 'upce', '012345000065', ']E0'],
    ],
  )
})

t.run()
