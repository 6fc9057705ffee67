// The button's pure parts: press classification from down/up timings, what the light shows for a
// stored request at a given time, which news may replace the stored request, and the pattern table
// (told apart on a one-LED button, and the same table as hardware/devices/button/wiring.md).
import { readFileSync } from 'node:fs'
import type { AckPickup, PressEvent } from '@relais/hardware'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { displayFor, isNewer } from '../src/features/pickup-display.js'
import { PressClassifier } from '../src/features/press-classifier.js'
import {
  BUTTON_PATTERNS,
  BUTTON_SIGNALS,
  buttonPatternTable,
  monoTiming,
} from '../src/feedback/button-patterns.js'

const c = suite('press classification')

/**
 * Plays edges ('d' down / 'u' up at a time) and then lets time run far past every deadline, polling
 * at each deadline as the feature's timer does; returns the presses with the time each was known.
 */
function classify(edges: Array<['d' | 'u', number]>, o = { doubleGapMs: 400, longMs: 2000 }) {
  const k = new PressClassifier(o)
  const out: string[] = []
  const add = (list: PressEvent[], at: number) => {
    for (const p of list) out.push(`${p.press}${p.heldMs === undefined ? '' : `(${p.heldMs})`}@${at}`)
  }
  for (const [edge, at] of edges) {
    // The timer would have fired before this edge if a deadline was due.
    const due = k.nextDeadline()
    if (due !== undefined && due < at) add(k.poll(due + 1), due + 1)
    add(edge === 'd' ? k.down(at) : k.up(at), at)
  }
  const due = k.nextDeadline()
  if (due !== undefined) {
    add(k.poll(due), due) // not yet: the gap must be over
    add(k.poll(due + 1), due + 1)
  }
  return out.join(' ')
}

const TABLE: Array<[string, Array<['d' | 'u', number]>, string]> = [
  [
    'a short press is a single, known once the gap is over',
    [
      ['d', 0],
      ['u', 120],
    ],
    'single@521',
  ],
  [
    'two short presses within the gap are one double',
    [
      ['d', 0],
      ['u', 100],
      ['d', 300],
      ['u', 400],
    ],
    'double@400',
  ],
  [
    'the gap counts from release to the next down, inclusive',
    [
      ['d', 0],
      ['u', 100],
      ['d', 500],
      ['u', 600],
    ],
    'double@600',
  ],
  [
    'past the gap: two singles',
    [
      ['d', 0],
      ['u', 100],
      ['d', 501],
      ['u', 600],
    ],
    'single@501 single@1001',
  ],
  [
    'held to the threshold is long, with how long, and never also a single',
    [
      ['d', 0],
      ['u', 2000],
    ],
    'long(2000)@2000',
  ],
  [
    'just under the threshold is still a single',
    [
      ['d', 0],
      ['u', 1999],
    ],
    'single@2400',
  ],
  [
    'held for minutes is long',
    [
      ['d', 0],
      ['u', 300_000],
    ],
    'long(300000)@300000',
  ],
  [
    'a short press then a long one within the gap: the single stands, then the long',
    [
      ['d', 0],
      ['u', 100],
      ['d', 300],
      ['u', 2600],
    ],
    'single@2600 long(2300)@2600',
  ],
  [
    'three quick presses: a double, then a single',
    [
      ['d', 0],
      ['u', 80],
      ['d', 200],
      ['u', 280],
      ['d', 400],
      ['u', 480],
    ],
    'double@280 single@881',
  ],
  ['an up without a down (started held) is nothing', [['u', 50]], ''],
  [
    'a repeated down is one press',
    [
      ['d', 0],
      ['d', 50],
      ['u', 100],
    ],
    'single@501',
  ],
]

for (const [name, edges, want] of TABLE) c(name, () => assert.is(classify(edges), want))

c('the thresholds are the configured ones', () => {
  const o = { doubleGapMs: 1000, longMs: 600 }
  assert.is(
    classify(
      [
        ['d', 0],
        ['u', 100],
        ['d', 900],
        ['u', 1000],
      ],
      o,
    ),
    'double@1000',
  )
  assert.is(
    classify(
      [
        ['d', 0],
        ['u', 700],
      ],
      o,
    ),
    'long(700)@700',
  )
})

c.run()

const d = suite('pickup display by the clock')
const o = { afterWindowMs: 30 * 60_000, closedShowMs: 15 * 60_000 }
const H = 3_600_000
const at = (state: AckPickup['state'], extra: Partial<AckPickup> = {}): AckPickup => ({
  id: 'r1',
  state,
  since: 10 * H,
  ...extra,
})

d('nothing stored: off', () => {
  assert.equal(displayFor(undefined, 0, o), { signal: undefined })
})

d('requested: shown for a day at most', () => {
  assert.equal(displayFor(at('requested'), 11 * H, o), { signal: 'requested', until: 34 * H })
  assert.equal(displayFor(at('requested'), 34 * H, o).signal, undefined)
})

d('scheduled: slow blinks until the window, steady in it, off a while after it closes', () => {
  const p = at('scheduled', { window: { from: 12 * H, to: 13 * H } })
  assert.equal(displayFor(p, 11 * H, o), { signal: 'scheduled', until: 12 * H })
  assert.equal(displayFor(p, 12 * H, o), { signal: 'in_window', until: 13.5 * H })
  assert.equal(displayFor(p, 13.4 * H, o).signal, 'in_window')
  assert.equal(displayFor(p, 13.5 * H, o), { signal: undefined })
})

d('closed states: their own signal for a while after they happened, then off', () => {
  for (const s of ['collected', 'not_found', 'cancelled', 'expired'] as const) {
    assert.equal(displayFor(at(s), 10 * H + 60_000, o), { signal: s, until: 10.25 * H })
    assert.equal(displayFor(at(s), 10.25 * H, o).signal, undefined)
  }
})

d('newer news replaces the stored request; older news of it, or an older request, does not', () => {
  const stored = at('scheduled', { since: 100 })
  assert.ok(isNewer(at('collected', { since: 200 }), stored))
  assert.ok(isNewer(at('scheduled', { since: 100 }), stored), 'the same news again')
  assert.not.ok(isNewer(at('requested', { since: 50 }), stored), 'an older state of the same request')
  assert.not.ok(isNewer(at('collected', { id: 'r0', since: 90 }), stored), 'an older request')
  assert.ok(isNewer(at('requested', { id: 'r2', since: 300 }), stored), 'a newer request')
  assert.ok(isNewer(at('requested'), undefined))
})

d.run()

const p = suite('button patterns')

p('every signal has a pattern, and no other', () => {
  assert.equal(Object.keys(BUTTON_PATTERNS).sort(), [...BUTTON_SIGNALS].sort())
})

p('a one-LED button tells every signal apart by timing alone', () => {
  const seen = new Map<string, string>()
  for (const s of BUTTON_SIGNALS) {
    const key = monoTiming(BUTTON_PATTERNS[s])
    assert.not.ok(seen.has(key), `${s} looks like ${seen.get(key)} on one LED: ${key}`)
    seen.set(key, s)
  }
})

p('the display signals loop, the others play once', () => {
  const loops = BUTTON_SIGNALS.filter((s) => BUTTON_PATTERNS[s].persistent)
  assert.equal(loops, [
    'requested',
    'scheduled',
    'in_window',
    'collected',
    'not_found',
    'cancelled',
    'expired',
  ])
  for (const s of BUTTON_SIGNALS) {
    const pat = BUTTON_PATTERNS[s]
    assert.ok(pat.steps.some((x) => x.color !== 'off') && pat.steps.every((x) => x.ms > 0), s)
  }
})

p('the wiring page shows the table the code generates', () => {
  const wiring = readFileSync(new URL('../../hardware/devices/button/wiring.md', import.meta.url), 'utf8')
  const begin = wiring.indexOf('<!-- patterns:begin -->\n')
  const end = wiring.indexOf('\n<!-- patterns:end -->')
  assert.ok(begin >= 0 && end > begin, 'wiring.md has the patterns markers')
  assert.fixture(wiring.slice(begin + '<!-- patterns:begin -->\n'.length, end), buttonPatternTable())
})

p.run()
