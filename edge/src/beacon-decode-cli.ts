// relais-agent beacon-decode <hex>... [--ad|--mfg|--eddystone]
// For installers: what does this beacon send? Paste the bytes a scanner app or `btmon` shows; one JSON
// object per input and line: the frame's fields, or {"error": reason}. Exit 0 if every input decoded,
// 1 if any did not, 2 for a usage error.
import { parseArgs } from 'node:util'
import {
  type BeaconDecodeResult,
  decodeAdvertisement,
  decodeEddystone,
  decodeManufacturerData,
} from '@relais/hardware'

export interface BeaconDecodeIo {
  out(line: string): void
  err(line: string): void
}

const stdio: BeaconDecodeIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

const USAGE =
  'usage: relais-agent beacon-decode <hex>... [--ad | --mfg | --eddystone]\n' +
  '  --ad         a raw advertising payload (AD structures: length, type, data)\n' +
  '  --mfg        manufacturer specific data, company id first (iBeacon, AltBeacon)\n' +
  '  --eddystone  Eddystone service data, frame type first\n' +
  'Without a flag the kind is guessed: advertising payload, then manufacturer data, then Eddystone.\n' +
  'Hex may contain spaces or colons and start with 0x.'

type Kind = 'ad' | 'mfg' | 'eddystone'
type Outcome = BeaconDecodeResult | { ok: false; reason: string }

export function beaconDecodeMain(args: string[], io: BeaconDecodeIo = stdio): number {
  let parsed: {
    values: { ad?: boolean; mfg?: boolean; eddystone?: boolean; help?: boolean }
    positionals: string[]
  }
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ad: { type: 'boolean' },
        mfg: { type: 'boolean' },
        eddystone: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    io.err(`relais-agent beacon-decode: ${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.out(USAGE)
    return 0
  }
  const kinds = (['ad', 'mfg', 'eddystone'] as const).filter((k) => values[k])
  if (kinds.length > 1 || positionals.length === 0) {
    const why = kinds.length > 1 ? 'give at most one of --ad, --mfg, --eddystone' : 'no hex given'
    io.err(`relais-agent beacon-decode: ${why}\n${USAGE}`)
    return 2
  }
  let failed = 0
  for (const input of positionals) {
    const bytes = parseHex(input)
    const r: Outcome = bytes === undefined ? { ok: false, reason: 'not hex' } : decode(bytes, kinds[0])
    if (r.ok) io.out(JSON.stringify(r.frame))
    else {
      failed++
      io.out(JSON.stringify({ error: r.reason }))
    }
  }
  return failed > 0 ? 1 : 0
}

/** Hex with optional spaces or colons between bytes and 0x before any of them; undefined if not hex. */
export function parseHex(input: string): Uint8Array | undefined {
  const digits = input
    .split(/[\s:]+/)
    .map((part) => (part.startsWith('0x') || part.startsWith('0X') ? part.slice(2) : part))
    .join('')
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) return undefined
  return Buffer.from(digits, 'hex')
}

function decode(bytes: Uint8Array, kind: Kind | undefined): Outcome {
  if (kind === 'ad') return decodeAdvertisement(bytes)
  if (kind === 'mfg') return decodeManufacturerData(bytes)
  if (kind === 'eddystone') return decodeEddystone(bytes)
  return guess(bytes)
}

// Reasons that only say "this is not that kind of input", as opposed to "this is that kind, but broken".
const NOT_THIS_KIND = new Set<string>([
  'ad: empty',
  'ad: structure runs past the end',
  'ad: no beacon data',
  'mfg: truncated',
  'mfg: not a beacon',
  'eddystone: empty',
  'eddystone: unknown frame type',
])

/**
 * An advertising payload first (it also says why a beacon inside it was refused), then manufacturer
 * data, then Eddystone service data. When none decodes, the first reason that names a beacon format
 * (an iBeacon cut short is more use than "not advertising data"), else "no beacon data" for a payload
 * whose AD structures were all well formed.
 */
function guess(bytes: Uint8Array): Outcome {
  const tries = [decodeAdvertisement, decodeManufacturerData, decodeEddystone].map((d) => d(bytes))
  const ok = tries.find((r) => r.ok)
  if (ok !== undefined) return ok
  const specific = tries.find((r) => !r.ok && !NOT_THIS_KIND.has(r.reason))
  if (specific !== undefined) return specific
  // A well-formed advertising payload without a beacon (a phone, a headset) is an answer too.
  if (!tries[0]!.ok && tries[0]!.reason === 'ad: no beacon data') return tries[0]!
  return {
    ok: false,
    reason: 'not a beacon: neither advertising data, manufacturer data nor Eddystone service data',
  }
}
