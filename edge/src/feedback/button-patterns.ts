// The pickup button's signals, next to the scanner's table (patterns.ts) and in the same terms. Most
// letterbox buttons have one LED, so every signal must be told apart by its timing alone: a test checks
// that with every colour read as plain "on", and that hardware/devices/button/wiring.md shows this table.
// Colour adds to it on a two-LED or RGB button, with the scanner's grammar: green = the courier's side
// (scheduled, in the window, collected), amber = waiting or closed without a collection, red = failed,
// blue = kept on the device only.
//
// Transient signals play once over the display and hand the light back to it; display signals loop for
// as long as the stored request says (pickup-display.ts), driven by the clock.
import { formatBeep, type LightColor, type LightStep, type Pattern } from './patterns.js'

export const BUTTON_SIGNALS = [
  /** The press was stored on the device (before anything else). */
  'press',
  /** Stored, but the cloud is not reachable: it will be sent later. */
  'queued',
  /** The cloud refused the press, or it could not be stored: press again or call. */
  'rejected',
  /** A long press or a double press found no request to cancel or show. */
  'no_pickup',
  /** Display: the request is taken, the courier's time is not known yet. */
  'requested',
  /** Display: on a round, the window has not opened yet. */
  'scheduled',
  /** Display: the courier's window is open (and a while after it closes). */
  'in_window',
  /** Display, for a while after: the parcel was collected. */
  'collected',
  /** Display, for a while after: the courier came and found nothing. */
  'not_found',
  /** Display, for a while after: the request was cancelled (long press, or ops). */
  'cancelled',
  /** Display, for a while after: nobody came for it in time; press again. */
  'expired',
] as const
export type ButtonSignal = (typeof BUTTON_SIGNALS)[number]

const on = (color: LightColor, ms: number): LightStep => ({ color, ms })
const off = (ms: number): LightStep => ({ color: 'off', ms })
/** An active buzzer only beeps or not: every tone is the same, only the timing counts. */
const BEEP = 2000

export const BUTTON_PATTERNS: Readonly<Record<ButtonSignal, Pattern>> = {
  press: {
    steps: [on('blue', 150)],
    repeat: 1,
    beep: [{ hz: BEEP, ms: 40 }],
    text: 'Press stored on the button.',
  },
  queued: {
    steps: [on('blue', 100), off(100), on('blue', 100), off(700)],
    repeat: 2,
    beep: [{ hz: BEEP, ms: 40 }],
    text: 'Stored, but the cloud is not reachable: it will be sent when it is.',
  },
  rejected: {
    steps: [on('red', 60), off(60)],
    repeat: 6,
    beep: [{ hz: BEEP, ms: 400 }],
    text: 'Refused or not stored: nothing was requested.',
  },
  no_pickup: {
    steps: [on('amber', 1500)],
    repeat: 1,
    text: 'No open request to cancel or show.',
  },
  requested: {
    steps: [on('amber', 200), off(200), on('amber', 200), off(2400)],
    repeat: 1,
    persistent: true,
    beep: [{ hz: BEEP, ms: 80 }],
    text: 'Requested: the courier has been told, the time is not known yet.',
  },
  scheduled: {
    steps: [on('green', 1000), off(1000)],
    repeat: 1,
    persistent: true,
    text: 'Scheduled: slow blinks until the courier window opens.',
  },
  in_window: {
    steps: [on('green', 1000)],
    repeat: 1,
    persistent: true,
    text: 'The courier window is open: steady on.',
  },
  collected: {
    steps: [on('green', 3000), off(500)],
    repeat: 1,
    persistent: true,
    beep: [
      { hz: BEEP, ms: 80 },
      { hz: 0, ms: 80 },
      { hz: BEEP, ms: 80 },
    ],
    text: 'Collected: long pulses for a while, then off.',
  },
  not_found: {
    steps: [on('red', 200), off(200), on('red', 200), off(200), on('red', 200), off(1800)],
    repeat: 1,
    persistent: true,
    beep: [{ hz: BEEP, ms: 300 }],
    text: 'The courier found nothing to collect: three blinks, for a while.',
  },
  cancelled: {
    steps: [on('amber', 600), off(2400)],
    repeat: 1,
    persistent: true,
    text: 'Cancelled: one blink every 3 s, for a while.',
  },
  expired: {
    steps: [on('amber', 100), off(2900)],
    repeat: 1,
    persistent: true,
    text: 'Expired (nobody came in time): a short blip every 3 s, for a while; press again.',
  },
}

/** The timing a one-LED button shows: colours read as "on", neighbouring steps of one state merged. */
export function monoTiming(p: Pattern): string {
  const merged: Array<[boolean, number]> = []
  for (let r = 0; r < (p.persistent ? 1 : p.repeat); r++) {
    for (const s of p.steps) {
      const lit = s.color !== 'off'
      const last = merged.at(-1)
      if (last && last[0] === lit) last[1] += s.ms
      else merged.push([lit, s.ms])
    }
  }
  if (p.persistent && merged.length === 1) return merged[0]![0] ? 'steady on' : 'off'
  const shape = merged.map(([lit, ms]) => `${lit ? 'on' : 'off'} ${ms}`).join(', ')
  return p.persistent ? `${shape}, looping` : shape
}

function formatSteps(p: Pattern): string {
  const steps = p.steps.map((s) => `${s.color} ${s.ms} ms`).join(' → ')
  if (p.persistent) return `${steps}, looping`
  return p.repeat > 1 ? `${steps}, ${p.repeat} times` : steps
}

/** The markdown table in hardware/devices/button/wiring.md; a test keeps the two identical. */
export function buttonPatternTable(): string {
  const rows = BUTTON_SIGNALS.map((s) => {
    const p = BUTTON_PATTERNS[s]
    const beep = formatBeep(p).replaceAll(`${BEEP} Hz `, 'beep ')
    return `| \`${s}\` | ${formatSteps(p)} | ${monoTiming(p)} | ${beep} | ${p.text} |`
  })
  return ['| signal | light | one LED | buzzer | meaning |', '|---|---|---|---|---|', ...rows].join('\n')
}
