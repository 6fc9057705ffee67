// `relais barcode <code>...`: what Relais makes of a scanned code (GTIN, check digit, UPC-E expansion,
// AIM id, GS1 element string), one JSON object per line, so a support person can paste a scanner's
// output and see why an item did or did not land on a list. Reads nothing, writes nothing.
import { parseArgs } from 'node:util'
import { type BarcodeInfo, type ParseBarcodeOptions, parseBarcode } from '@relais/hardware'
import { type Command, UsageError } from '../context.js'

export const barcodeCommand: Command = {
  name: 'barcode',
  summary: 'check barcodes: GTIN, check digit, UPC-E, AIM id, GS1 element string (JSON lines)',
  usage: 'barcode [--upce | --ean8] [--] <code>...',
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { upce: { type: 'boolean' }, ean8: { type: 'boolean' } },
    })
    if (positionals.length === 0) throw new UsageError('give at least one code')
    if (values.upce && values.ean8) throw new UsageError('--upce and --ean8 exclude each other')
    const opts: ParseBarcodeOptions = values.upce ? { hint: 'upce' } : values.ean8 ? { hint: 'ean8' } : {}
    // Always JSON lines, with or without --json: the output is data, and a code may hold characters
    // (GS, spaces) that only JSON shows unambiguously.
    for (const code of positionals) ctx.out(JSON.stringify(line(parseBarcode(code, opts))))
    return 0
  },
}

/** The fields in a fixed order, the optional ones only when set. */
function line(b: BarcodeInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    code: b.code,
    valid: b.valid,
    gtin: b.gtin,
    symbology: b.symbology,
    display: b.display,
    key: b.key,
  }
  if (b.error !== undefined) out.error = b.error
  if (b.restricted !== undefined) out.restricted = b.restricted
  if (b.aim !== undefined) out.aim = b.aim
  if (b.ai !== undefined) out.ai = b.ai
  return out
}
