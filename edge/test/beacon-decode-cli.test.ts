// `relais-agent beacon-decode`: in process through beaconDecodeMain with captured output, and once as the
// real bin through main(), to show the hook in the agent's argument handling.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { beaconDecodeMain, parseHex } from '../src/beacon-decode-cli.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex')

const IBEACON_MFG = '4c000215e2c56db5dffb48d2b060d0f5a71096e000010002c5'
const IBEACON_AD = `0201061aff${IBEACON_MFG}`
const UID_SD = '00e78b0ca750095477cb3e770000000004d20000'
const ibeacon = {
  format: 'ibeacon',
  uuid: 'e2c56db5-dffb-48d2-b060-d0f5a71096e0',
  major: 1,
  minor: 2,
  tx_power: -59,
}
const uid = {
  format: 'eddystone-uid',
  namespace: '8b0ca750095477cb3e77',
  instance: '0000000004d2',
  tx_power: -25,
}

function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = beaconDecodeMain(args, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out, err, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

const t = suite('relais-agent beacon-decode')

t('guesses the kind of each input: advertising payload, manufacturer data, Eddystone service data', () => {
  const r = run(IBEACON_AD, IBEACON_MFG, UID_SD)
  assert.is(r.code, 0)
  assert.is(r.err.length, 0)
  assert.equal(r.lines(), [ibeacon, ibeacon, uid])
})

t('prints format first, then the fields, one object per line', () => {
  const r = run(`10f803${ascii('goo.gl/Aq18zF')}`)
  assert.equal(r.out, ['{"format":"eddystone-url","url":"https://goo.gl/Aq18zF","tx_power":-8}'])
})

t('accepts spaces, colons and 0x prefixes in the hex', () => {
  const spaced = IBEACON_MFG.replace(/(..)/g, '$1 ')
  const colons = IBEACON_MFG.replace(/(..)(?!$)/g, '$1:')
  const prefixed = IBEACON_MFG.replace(/(..)/g, '0x$1 ')
  const r = run(spaced, colons, `0x${IBEACON_MFG}`, prefixed)
  assert.is(r.code, 0)
  assert.equal(r.lines(), [ibeacon, ibeacon, ibeacon, ibeacon])
  assert.is(parseHex('0x'), undefined)
  assert.is(parseHex('abc'), undefined)
})

t('a flag forces the kind: the same bytes as Eddystone service data are refused as manufacturer data', () => {
  assert.equal(run('--eddystone', UID_SD).lines(), [uid])
  const r = run('--mfg', UID_SD)
  assert.is(r.code, 1)
  assert.equal(r.lines(), [{ error: 'mfg: not a beacon' }])
  assert.equal(run('--ad', IBEACON_MFG).lines(), [{ error: 'ad: structure runs past the end' }])
})

t('prints an error line for each input that fails, keeps going, and exits 1', () => {
  const r = run(IBEACON_MFG.slice(0, -2), 'zz', UID_SD, `${IBEACON_MFG}00`, '0201060509506978 69')
  assert.is(r.code, 1)
  assert.equal(r.lines(), [
    { error: 'ibeacon: truncated' },
    { error: 'not hex' },
    uid,
    { error: 'ibeacon: over-long' },
    { error: 'ad: no beacon data' },
  ])
})

t('a TLM with a negative temperature, guessed as Eddystone', () => {
  const r = run('20 00 0c1c ebc0 00000001 0000000a')
  assert.equal(r.lines(), [
    {
      format: 'eddystone-tlm',
      version: 0,
      battery_mv: 3100,
      temperature_c: -20.25,
      adv_count: 1,
      sec_count: 10,
      uptime_s: 1,
    },
  ])
})

t('bytes that are no kind of beacon input say so', () => {
  assert.equal(run('ffff').lines(), [
    { error: 'not a beacon: neither advertising data, manufacturer data nor Eddystone service data' },
  ])
})

t('usage errors exit 2 with the usage on stderr and nothing on stdout', () => {
  for (const args of [[], ['--mfg'], ['--ad', '--mfg', IBEACON_MFG], ['--bogus', IBEACON_MFG]]) {
    const r = run(...args)
    assert.is(r.code, 2, args.join(' '))
    assert.is(r.out.length, 0)
    assert.match(r.err.join('\n'), /usage: relais-agent beacon-decode/)
  }
  const help = run('--help')
  assert.is(help.code, 0)
  assert.match(help.out.join('\n'), /--eddystone/)
})

t('runs as the relais-agent bin: stdout lines and the exit code', async () => {
  const bin = join(root, 'edge', 'bin', 'relais-agent.mjs')
  const ok = await promisify(execFile)(process.execPath, [bin, 'beacon-decode', IBEACON_AD, UID_SD])
  assert.equal(
    ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [ibeacon, uid],
  )
  let failed: { code?: number; stdout?: string } = {}
  try {
    await promisify(execFile)(process.execPath, [bin, 'beacon-decode', '--mfg', 'beefcafe'])
    assert.unreachable('exit 0 for an input that failed')
  } catch (err) {
    failed = err as typeof failed
  }
  assert.is(failed.code, 1)
  assert.equal(JSON.parse(failed.stdout ?? ''), { error: 'mfg: not a beacon' })
})

t.run()
