// The one table of what each feedback signal looks and sounds like on the device. The person at the fridge
// has no screen, so every signal must be told apart by light alone (the buzzer is optional); a test checks
// that, and that hardware/devices/scanner/wiring.md shows this same table.
//
// Colour grammar: green = done in the cloud, amber = nothing changed or needs attention, red = failed,
// blue = kept on the device only (not answered by the cloud yet). Timing tells signals of one colour apart.
import { FEEDBACK_SIGNALS, type FeedbackSignal } from './types.js'

/** amber = red + green (two LEDs both on, or a red-heavy mix on an RGB LED). */
export type LightColor = 'green' | 'red' | 'amber' | 'blue' | 'off'

export interface LightStep {
  readonly color: LightColor
  readonly ms: number
}

/** One tone of the buzzer; hz 0 is a pause. */
export interface Beep {
  readonly hz: number
  readonly ms: number
}

export interface Pattern {
  /** Played in order, `repeat` times, then the light goes off. */
  readonly steps: readonly LightStep[]
  readonly repeat: number
  /** Played once, alongside the light, from the start of the signal. */
  readonly beep?: readonly Beep[]
  /** A mode: loops until a signal with `endsPersistent`; transient signals play over it, then it resumes. */
  readonly persistent?: boolean
  readonly endsPersistent?: boolean
  /** One line for people: the terminal and log feedback, and the docs. */
  readonly text: string
}

const on = (color: LightColor, ms: number): LightStep => ({ color, ms })
const off = (ms: number): LightStep => ({ color: 'off', ms })

// Tones stay at or below 880 Hz: over Firmata, johnny-five's Piezo toggles the pin from the host, one
// 3-byte message per edge at 57600 baud, so about 950 Hz is the highest tone the link can carry.
const HIGH = 880
const MID = 660
const LOW = 220

export const PATTERNS: Readonly<Record<FeedbackSignal, Pattern>> = {
  received: { steps: [on('blue', 80)], repeat: 1, text: 'Code read and stored on the device.' },
  queued_offline: {
    steps: [on('blue', 250), off(250), on('blue', 250), off(1000)],
    repeat: 2,
    beep: [{ hz: MID, ms: 150 }],
    text: 'Stored on the device; the cloud is not reachable, it will be sent later.',
  },
  added: { steps: [on('green', 1000)], repeat: 1, beep: [{ hz: HIGH, ms: 100 }], text: 'Added to the list.' },
  incremented: {
    steps: [on('green', 150), off(150)],
    repeat: 2,
    beep: [
      { hz: HIGH, ms: 60 },
      { hz: 0, ms: 90 },
      { hz: HIGH, ms: 60 },
    ],
    text: 'Already on the list: quantity increased by one.',
  },
  unknown_product: {
    steps: [on('green', 500), on('amber', 1000)],
    repeat: 1,
    beep: [
      { hz: HIGH, ms: 100 },
      { hz: 0, ms: 50 },
      { hz: MID, ms: 200 },
    ],
    text: 'Added, but the product is unknown: name it in the app.',
  },
  duplicate: { steps: [on('amber', 250)], repeat: 1, text: 'Same code scanned twice: counted once.' },
  rejected: {
    steps: [on('red', 100), off(100)],
    repeat: 3,
    beep: [{ hz: LOW, ms: 400 }],
    text: 'Refused by the cloud (invalid code, not allowed): nothing changed.',
  },
  mode_remove: {
    steps: [on('amber', 1000), off(1000)],
    repeat: 1,
    persistent: true,
    beep: [
      { hz: HIGH, ms: 100 },
      { hz: 0, ms: 50 },
      { hz: 440, ms: 150 },
    ],
    text: 'Remove mode: the next scans take products off the list (until the add code or the timeout).',
  },
  mode_add: {
    steps: [on('green', 100), off(100)],
    repeat: 3,
    endsPersistent: true,
    beep: [
      { hz: 440, ms: 100 },
      { hz: 0, ms: 50 },
      { hz: HIGH, ms: 150 },
    ],
    text: 'Add mode: scans add products to the list again.',
  },
  removed: {
    steps: [on('green', 150), off(150), on('green', 700)],
    repeat: 1,
    beep: [{ hz: MID, ms: 100 }],
    text: 'Taken off the list.',
  },
  undone: {
    steps: [on('amber', 300), off(100), on('green', 600)],
    repeat: 1,
    beep: [
      { hz: MID, ms: 60 },
      { hz: 0, ms: 90 },
      { hz: 440, ms: 100 },
    ],
    text: 'Last scan undone.',
  },
  not_on_list: {
    steps: [on('amber', 150), off(150)],
    repeat: 2,
    text: 'Nothing to do: not on the list, or nothing to undo.',
  },
  error: {
    steps: [on('red', 2000)],
    repeat: 1,
    beep: [
      { hz: LOW, ms: 300 },
      { hz: 0, ms: 150 },
      { hz: LOW, ms: 300 },
    ],
    text: 'Device fault (scanner unplugged, storage full): see the agent log.',
  },
  identify: {
    steps: [on('blue', 200), on('green', 200)],
    repeat: 8,
    beep: [{ hz: HIGH, ms: 100 }],
    text: 'Identify: ops asked this device to show itself.',
  },
}

export function describe(signal: FeedbackSignal): string {
  return PATTERNS[signal]?.text ?? `Unknown feedback signal ${String(signal)}.`
}

/** How the light of a pattern reads in the docs: `green 150 ms → off 150 ms, 2 times`. */
export function formatLight(p: Pattern): string {
  const steps = p.steps.map((s) => `${s.color} ${s.ms} ms`).join(' → ')
  if (p.persistent)
    return `${steps}, repeating until ${FEEDBACK_SIGNALS.find((s) => PATTERNS[s].endsPersistent)}`
  return p.repeat > 1 ? `${steps}, ${p.repeat} times` : steps
}

export function formatBeep(p: Pattern): string {
  if (!p.beep?.length) return '-'
  return p.beep.map((b) => (b.hz === 0 ? `pause ${b.ms} ms` : `${b.hz} Hz ${b.ms} ms`)).join(' → ')
}

/** The markdown table in hardware/devices/scanner/wiring.md; a test keeps the two identical. */
export function patternTable(): string {
  const rows = FEEDBACK_SIGNALS.map((s) => {
    const p = PATTERNS[s]
    return `| \`${s}\` | ${formatLight(p)} | ${formatBeep(p)} | ${p.text} |`
  })
  return ['| signal | light | beep | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

// On an RGB LED green looks far brighter than red, so amber is red with a little green.
export const RGB_HEX: Readonly<Record<LightColor, string>> = {
  green: '#00ff00',
  red: '#ff0000',
  amber: '#ff6000',
  blue: '#0000ff',
  off: '#000000',
}

/**
 * Which of separate [red, green, blue] LEDs are lit for a colour (green is always fitted). Without a red
 * LED red shows on green; without a blue one blue shows as amber, so it still differs from green.
 */
export function ledsLit(
  color: LightColor,
  have: { red: boolean; blue: boolean },
): [boolean, boolean, boolean] {
  const c = color === 'blue' && !have.blue ? 'amber' : color
  const red = c === 'red' || c === 'amber'
  return [red && have.red, c === 'green' || c === 'amber' || (c === 'red' && !have.red), c === 'blue']
}

/** The first colour a pattern shows: what a one-line display (terminal) colours it with. */
export function mainColor(p: Pattern): LightColor {
  return p.steps.find((s) => s.color !== 'off')?.color ?? 'off'
}
