// The pattern table: complete, every signal readable from the light alone, and the same table as the
// wiring page. Also the feedback without hardware (terminal line, journal line) and createFeedback.
import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import pino from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createFeedback,
  describe,
  FEEDBACK_SIGNALS,
  JohnnyFiveFeedback,
  LogFeedback,
  PATTERNS,
  patternTable,
  TerminalFeedback,
} from '../src/feedback/index.js'

const silent = pino({ level: 'silent' })
const wiring = readFileSync(new URL('../../hardware/devices/scanner/wiring.md', import.meta.url), 'utf8')

const t = suite('feedback patterns')

t('every signal has a pattern, and the table has no others', () => {
  assert.equal(Object.keys(PATTERNS).sort(), [...FEEDBACK_SIGNALS].sort())
})

t('every pattern is told apart by its light alone (the buzzer is optional)', () => {
  const seen = new Map<string, string>()
  for (const s of FEEDBACK_SIGNALS) {
    const p = PATTERNS[s]
    const key = JSON.stringify([p.steps, p.repeat, !!p.persistent])
    assert.not.ok(seen.has(key), `${s} looks like ${seen.get(key)}`)
    seen.set(key, s)
  }
})

t('patterns are playable: positive steps that light up, sane repeats and tones', () => {
  for (const s of FEEDBACK_SIGNALS) {
    const p = PATTERNS[s]
    assert.ok(p.steps.length > 0 && p.steps.some((x) => x.color !== 'off'), `${s} shows a colour`)
    assert.ok(
      p.steps.every((x) => Number.isInteger(x.ms) && x.ms > 0),
      `${s} steps last > 0 ms`,
    )
    assert.ok(Number.isInteger(p.repeat) && p.repeat >= 1, `${s} repeat`)
    // Firmata carries about 950 Hz at most (see patterns.ts); 0 is a pause.
    for (const b of p.beep ?? [])
      assert.ok(b.ms > 0 && (b.hz === 0 || (b.hz >= 100 && b.hz <= 880)), `${s} tone`)
  }
})

t('remove mode persists and mode_add ends it; no other pattern is a mode', () => {
  const persistent = FEEDBACK_SIGNALS.filter((s) => PATTERNS[s].persistent)
  const ending = FEEDBACK_SIGNALS.filter((s) => PATTERNS[s].endsPersistent)
  assert.equal(persistent, ['mode_remove'])
  assert.equal(ending, ['mode_add'])
})

t('describe gives one distinct line for every signal', () => {
  const lines = FEEDBACK_SIGNALS.map(describe)
  for (const [i, line] of lines.entries()) {
    assert.ok(line.length > 5 && !line.includes('\n'), `${FEEDBACK_SIGNALS[i]}: ${line}`)
  }
  assert.is(new Set(lines).size, lines.length)
})

t('the wiring page lists every signal, with the table the code generates', () => {
  const begin = wiring.indexOf('<!-- patterns:begin -->\n')
  const end = wiring.indexOf('\n<!-- patterns:end -->')
  assert.ok(begin >= 0 && end > begin, 'wiring.md has the patterns markers')
  const table = wiring.slice(begin + '<!-- patterns:begin -->\n'.length, end)
  for (const s of FEEDBACK_SIGNALS) assert.ok(table.includes(`| \`${s}\` |`), `wiring.md lists ${s}`)
  assert.fixture(table, patternTable())
})

t.run()

const out = suite('feedback without hardware')

function capture() {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (d) => {
    text += d
  })
  return { stream, text: () => text }
}

out('terminal: a coloured line per signal, the bell only for failures, the mode on every line', async () => {
  const c = capture()
  const fb = new TerminalFeedback(silent, { stream: c.stream, ansi: true })
  await fb.start()
  fb.show('added', { device: 'scanner-1', code: '3017620422003' })
  fb.show('rejected', { device: 'scanner-1', code: 'x', detail: 'INVALID_BARCODE' })
  fb.show('mode_remove')
  fb.show('removed', { device: 'scanner-1' })
  fb.show('mode_add')
  fb.show('duplicate')
  await fb.stop()
  const lines = c.text().split('\n')
  assert.is(lines[0], '\x1b[32m● added scanner-1 3017620422003: Added to the list.\x1b[0m')
  assert.match(lines[1]!, /^\x1b\[31m● rejected scanner-1 x: .*\(INVALID_BARCODE\)\x1b\[0m\x07$/)
  assert.match(lines[2]!, /^\x1b\[33m● mode_remove: Remove mode/)
  assert.match(lines[3]!, /● removed \[mode_remove\] scanner-1: Taken off the list\./)
  assert.not.match(lines[4]!, /\[mode_remove\]/)
  assert.not.match(lines[5]!, /\[mode_remove\]|\x07/)
})

out('terminal: plain text when the stream is not a TTY', () => {
  const c = capture()
  new TerminalFeedback(silent, { stream: c.stream }).show('error', { device: 'scanner-1' })
  assert.is(c.text(), `* error scanner-1: ${describe('error')}\n`)
})

out('log: one info line with device, signal and code; never throws', () => {
  const c = capture()
  const fb = new LogFeedback(pino({ level: 'info' }, c.stream))
  fb.show('unknown_product', { device: 'scanner-1', code: '3017620422003' })
  fb.show('nope' as 'added')
  const line = JSON.parse(c.text().split('\n')[0]!)
  assert.equal(
    { level: line.level, device: line.device, signal: line.signal, code: line.code, msg: line.msg },
    {
      level: 30,
      device: 'scanner-1',
      signal: 'unknown_product',
      code: '3017620422003',
      msg: describe('unknown_product'),
    },
  )
})

out('createFeedback picks the kind from the config', () => {
  assert.instance(createFeedback({ kind: 'log' }, silent), LogFeedback)
  assert.instance(createFeedback({ kind: 'terminal' }, silent), TerminalFeedback)
  const j5 = createFeedback({ kind: 'johnny-five', johnnyFive: { io: 'mock', pins: { green: 13 } } }, silent)
  assert.instance(j5, JohnnyFiveFeedback)
  assert.throws(() => createFeedback({ kind: 'johnny-five' }, silent), /johnnyFive is required/)
})

out.run()
