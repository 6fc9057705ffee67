// Records read from a Linux event device (/dev/input/event*). From linux/input.h:
//
//   struct input_event { struct timeval time; __u16 type; __u16 code; __s32 value; };
//
// The timeval is two longs (two __kernel_ulong_t when 32-bit userspace uses a 64-bit time_t, which
// keeps them 32 bits wide), so a record is 24 bytes on 64-bit architectures (arm64 Pi OS, x64) and 16 on
// 32-bit ones (armhf Pi OS, ia32). Byte order is the machine's own.
import { endianness } from 'node:os'

/** Event types, from linux/input-event-codes.h. */
export const EV_SYN = 0x00
export const EV_KEY = 0x01
/** Raw scan codes a HID keyboard sends beside each EV_KEY; we read the key codes only. */
export const EV_MSC = 0x04

/** EV_KEY values (linux/input.h, "struct input_event" comment): release, press, autorepeat. */
export const KEY_RELEASE = 0
export const KEY_PRESS = 1
export const KEY_REPEAT = 2

export interface InputEvent {
  /** Event time in epoch ms (evdev stamps events with CLOCK_REALTIME unless told otherwise). */
  timeMs: number
  type: number
  code: number
  value: number
}

/** Node's 32-bit architectures; every other one it runs on has 64-bit longs. */
const ARCH_32 = new Set(['arm', 'ia32', 'mips', 'mipsel', 'ppc'])

export function recordSizeFor(arch: string = process.arch): 16 | 24 {
  return ARCH_32.has(arch) ? 16 : 24
}

const LITTLE_ENDIAN = endianness() === 'LE'

export function parseInputEvent(buf: Buffer, offset: number, size: 16 | 24, le = LITTLE_ENDIAN): InputEvent {
  const v = new DataView(buf.buffer, buf.byteOffset + offset, size)
  const w = (size - 8) / 2 // bytes per long: 8 or 4
  const long = (at: number) => (w === 8 ? Number(v.getBigInt64(at, le)) : v.getUint32(at, le))
  return {
    timeMs: long(0) * 1000 + Math.floor(long(w) / 1000),
    type: v.getUint16(2 * w, le),
    code: v.getUint16(2 * w + 2, le),
    value: v.getInt32(2 * w + 4, le),
  }
}

/** Builds one record: the inverse of parseInputEvent, for tests and simulators. */
export function encodeInputEvent(ev: InputEvent, size: 16 | 24, le = LITTLE_ENDIAN): Buffer {
  const buf = Buffer.alloc(size)
  const v = new DataView(buf.buffer, buf.byteOffset, size)
  const w = (size - 8) / 2
  const long = (at: number, n: number) =>
    w === 8 ? v.setBigInt64(at, BigInt(n), le) : v.setUint32(at, n, le)
  long(0, Math.floor(ev.timeMs / 1000))
  long(w, (ev.timeMs % 1000) * 1000)
  v.setUint16(2 * w, ev.type, le)
  v.setUint16(2 * w + 2, ev.code, le)
  v.setInt32(2 * w + 4, ev.value, le)
  return buf
}

/**
 * Cuts a byte stream into records. The kernel only hands out whole records, but a stream may still
 * split them (a highWaterMark that is not a multiple of the size, a pipe in tests), so keep the rest.
 */
export class RecordSplitter {
  #rest: Buffer = Buffer.alloc(0)

  constructor(
    readonly size: 16 | 24,
    private readonly le = LITTLE_ENDIAN,
  ) {}

  push(chunk: Buffer): InputEvent[] {
    const buf = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk
    const whole = buf.length - (buf.length % this.size)
    const events: InputEvent[] = []
    for (let at = 0; at < whole; at += this.size) events.push(parseInputEvent(buf, at, this.size, this.le))
    this.#rest = Buffer.from(buf.subarray(whole))
    return events
  }
}
