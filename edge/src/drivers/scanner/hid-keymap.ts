// A HID keyboard scanner "types" each code. We read key codes (linux/input-event-codes.h), which name
// physical keys, not characters, so we map them back as a US layout would: scanners in HID mode type for
// a US layout unless programmed otherwise, and the agent has no console keymap of its own to consult.
import { EV_KEY, type InputEvent, KEY_PRESS, KEY_RELEASE } from './input-event.js'

/** Key codes from linux/input-event-codes.h that are not characters. */
export const KEY_TAB = 15
export const KEY_ENTER = 28
export const KEY_LEFTCTRL = 29
export const KEY_LEFTSHIFT = 42
export const KEY_RIGHTSHIFT = 54
export const KEY_KPENTER = 96
export const KEY_RIGHTCTRL = 97

/** Keys that end a code: Enter is the usual scanner suffix; Tab is the one for form-filling setups. */
const END_KEYS = new Set([KEY_ENTER, KEY_KPENTER, KEY_TAB])

/** key code -> [unshifted, shifted] */
const KEYMAP = new Map<number, [string, string]>()

/** Consecutive key codes of a keyboard row, from linux/input-event-codes.h. */
function row(firstCode: number, plain: string, shifted: string): void {
  for (let i = 0; i < plain.length; i++) KEYMAP.set(firstCode + i, [plain[i]!, shifted[i]!])
}
row(2, '1234567890-=', '!@#$%^&*()_+') // KEY_1 .. KEY_EQUAL
row(16, 'qwertyuiop[]', 'QWERTYUIOP{}') // KEY_Q .. KEY_RIGHTBRACE
row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~') // KEY_A .. KEY_GRAVE
row(43, '\\zxcvbnm,./', '|ZXCVBNM<>?') // KEY_BACKSLASH .. KEY_SLASH
row(55, '*', '*') // KEY_KPASTERISK
row(57, ' ', ' ') // KEY_SPACE
row(71, '789-456+1230.', '789-456+1230.') // KEY_KP7 .. KEY_KPDOT (num lock is on for a scanner)
row(98, '/', '/') // KEY_KPSLASH
row(117, '=', '=') // KEY_KPEQUAL

/** The character a key types, or undefined for keys that type nothing we map. */
export function keyChar(code: number, shift: boolean, ctrl = false): string | undefined {
  const pair = KEYMAP.get(code)
  if (pair === undefined) return undefined
  const ch = pair[shift ? 1 : 0]
  if (!ctrl) return ch
  // Ctrl+letter and Ctrl+[ \ ] ^ _ type ASCII control characters; scanners send GS (FNC1 in GS1
  // codes) as Ctrl+]. Other keys with Ctrl type nothing.
  const upper = ch.toUpperCase().charCodeAt(0)
  return upper >= 0x40 && upper <= 0x5f ? String.fromCharCode(upper & 0x1f) : undefined
}

export interface KeyDecoderOptions {
  /** A code longer than this without Enter is dropped: the scanner is not sending Enter. */
  maxLength?: number
  onWarn?: (message: string) => void
}

/** Turns a device's key events into codes: keeps Shift and Ctrl state, ends a code on Enter or Tab. */
export class KeyDecoder {
  #held = new Set<number>()
  #code = ''
  #unmapped = new Set<number>()

  constructor(private readonly opts: KeyDecoderOptions = {}) {}

  /** Feeds one event; returns a finished code (possibly '') when an end key is pressed. */
  feed(ev: InputEvent): string | undefined {
    if (ev.type !== EV_KEY) return undefined
    if (isModifier(ev.code)) {
      // Only presses and releases change the state; autorepeat (value 2) of a held Shift says nothing.
      if (ev.value === KEY_PRESS) this.#held.add(ev.code)
      else if (ev.value === KEY_RELEASE) this.#held.delete(ev.code)
      return undefined
    }
    // A key is typed once, on press: releases and autorepeats are not more characters.
    if (ev.value !== KEY_PRESS) return undefined
    if (END_KEYS.has(ev.code)) {
      const code = this.#code
      this.#code = ''
      return code
    }
    const ch = keyChar(
      ev.code,
      this.held(KEY_LEFTSHIFT, KEY_RIGHTSHIFT),
      this.held(KEY_LEFTCTRL, KEY_RIGHTCTRL),
    )
    if (ch === undefined) {
      if (!this.#unmapped.has(ev.code)) {
        this.#unmapped.add(ev.code)
        this.opts.onWarn?.(`key code ${ev.code} has no character in the US keymap; ignored`)
      }
      return undefined
    }
    this.#code += ch
    if (this.#code.length > (this.opts.maxLength ?? 1024)) {
      this.#code = ''
      this.opts.onWarn?.(
        'a code ran past its maximum length without Enter: program the scanner to send Enter',
      )
    }
    return undefined
  }

  private held(...keys: number[]): boolean {
    return keys.some((k) => this.#held.has(k))
  }
}

function isModifier(code: number): boolean {
  return code === KEY_LEFTSHIFT || code === KEY_RIGHTSHIFT || code === KEY_LEFTCTRL || code === KEY_RIGHTCTRL
}
