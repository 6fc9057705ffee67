// `relais route plan`: in process through main() with a capturing context, on files in a temp dir,
// and once as the real bin.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CliContext } from '../src/cli/context.js'
import { main } from '../src/cli/main.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'relais-route-'))
const t = suite('relais route plan')
t.after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

async function route(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const ctx: CliContext = {
    json: false,
    env: {},
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTTY: false,
  }
  const code = await main(['route', 'plan', ...args], ctx)
  return { code, out, err }
}

// Four stops at the corners of a square around the depot's corner, listed out of order.
const square = file('square.json', {
  depot: { x: 0, y: 0 },
  stops: [
    { id: 'c', x: 10, y: 10 },
    { id: 'a', x: 10, y: 0 },
    { id: 'd', x: 0, y: 10 },
    { id: 'b', x: 20, y: 5 },
  ],
})
const paris = file('paris.json', {
  depot: { id: 'hub', lat: 48.8566, lon: 2.3522 },
  stops: [
    { id: 'louvre', lat: 48.8606, lon: 2.3376 },
    { id: 'eiffel', lat: 48.8584, lon: 2.2945 },
    { id: 'bastille', lat: 48.8532, lon: 2.3691 },
    { id: 'montmartre', lat: 48.8867, lon: 2.3431 },
  ],
})

t(
  '--euclidean --json: one line with the order, the length in units, the stop count and the time',
  async () => {
    const { code, out, err } = await route(square, '--euclidean', '--json')
    assert.is(code, 0)
    assert.equal(err, [])
    assert.is(out.length, 1)
    const r = JSON.parse(out[0]!)
    assert.equal(Object.keys(r), ['order', 'length', 'unit', 'stops', 'ms'])
    assert.ok(['a,b,c,d', 'd,c,b,a'].includes(r.order.join()), r.order.join())
    const side = Math.hypot(10, 5)
    assert.ok(Math.abs(r.length - (10 + 2 * side + 10 + 10)) < 1e-9)
    assert.is(r.unit, 'units')
    assert.is(r.stops, 4)
    assert.type(r.ms, 'number')
  },
)

t('--open ends at the last stop', async () => {
  const r = JSON.parse((await route(square, '--euclidean', '--open', '--json')).out[0]!)
  // Up the left side, across the top, down to a and out to b: three sides and one short diagonal.
  assert.equal(r.order, ['d', 'c', 'a', 'b'])
  assert.ok(Math.abs(r.length - (30 + Math.hypot(10, 5))) < 1e-9, String(r.length))
})

t('latitude/longitude by default: metres, and a table in km without --json', async () => {
  const json = JSON.parse((await route(paris, '--json')).out[0]!)
  assert.is(json.unit, 'm')
  assert.equal([...json.order].sort(), ['bastille', 'eiffel', 'louvre', 'montmartre'])
  assert.ok(json.length > 10_000 && json.length < 20_000, String(json.length))

  const { code, out } = await route(paris)
  assert.is(code, 0)
  const lines = out.join('\n').split('\n')
  assert.match(lines[0]!, /^4 stops from 'hub', closed round \(back to the depot\): \d+\.\d\d km, planned in/)
  assert.match(lines[1]!, /#\s+stop\s+leg km\s+total km/)
  assert.is(lines.length, 2 + 4 + 1)
  assert.match(lines[6]!, /^\s+hub\s+\d+\.\d\d\s+\d+\.\d\d$/)
  // The last total is the round's length.
  assert.is(lines[6]!.trim().split(/\s+/).at(-1), (json.length / 1000).toFixed(2))
})

t('a bad file is a clear error, exit 1, with the stable code under --json', async () => {
  const cases: [string, string, RegExp][] = [
    [join(dir, 'missing.json'), 'not_found', /missing\.json not found/],
    [file('broken.json', '{ "depot": '), 'invalid_request', /broken\.json is not JSON/],
    [file('list.json', []), 'invalid_request', /must hold an object/],
    [
      file('nan.json', { depot: { lat: 1, lon: 1 }, stops: [{ id: 'x', lat: 95, lon: 1 }] }),
      'invalid_request',
      /stop 'x': latitude 95/,
    ],
  ]
  for (const [path, error, message] of cases) {
    const { code, out, err } = await route(path, '--json')
    assert.is(code, 1, path)
    assert.is(JSON.parse(out[0]!).error, error)
    assert.match(err.join('\n'), message)
  }
  // x/y without --euclidean: the message says what is missing and which flag the file needs.
  const { code, err } = await route(square)
  assert.is(code, 1)
  assert.match(
    err.join('\n'),
    /depot 'depot' has no lat\/lon; its x\/y are for the euclidean metric \(--euclidean\)/,
  )
})

t('no file, two files or an unknown option is a usage error (exit 2)', async () => {
  for (const args of [[], [square, paris], [square, '--fast']]) {
    const { code, out, err } = await route(...args)
    assert.is(code, 2, args.join(' '))
    assert.equal(out, [])
    assert.ok(err.some((l) => l.startsWith('usage: relais route plan')))
  }
})

t('the real bin, run from the repository root', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['cloud/bin/relais.mjs', 'route', 'plan', paris, '--json'],
    { cwd: root },
  )
  assert.is(stderr, '')
  const r = JSON.parse(stdout)
  assert.is(r.stops, 4)
  assert.is(r.unit, 'm')
  assert.equal([...r.order].sort(), ['bastille', 'eiffel', 'louvre', 'montmartre'])
})

t.run()
