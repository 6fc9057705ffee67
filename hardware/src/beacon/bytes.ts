// Byte readers for the decoders: plain index arithmetic on a Uint8Array (a Buffer is one), no DataView or
// subarray per field, so decoding an advertisement allocates only the strings of the fields it returns.

const HEX: string[] = []
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? '0' : '') + i.toString(16))

/** Lower-case hex of b[start, end). */
export function hexOf(b: Uint8Array, start: number, end: number): string {
  let s = ''
  for (let i = start; i < end; i++) s += HEX[b[i]!]
  return s
}

/** A 16-byte UUID in its canonical 8-4-4-4-12 lower-case form (RFC 9562 section 4). */
export function uuidOf(b: Uint8Array, at: number): string {
  return (
    hexOf(b, at, at + 4) +
    '-' +
    hexOf(b, at + 4, at + 6) +
    '-' +
    hexOf(b, at + 6, at + 8) +
    '-' +
    hexOf(b, at + 8, at + 10) +
    '-' +
    hexOf(b, at + 10, at + 16)
  )
}

/** Two's complement int8 (Tx power and RSSI fields in every format are signed bytes). */
export function int8(b: Uint8Array, at: number): number {
  const v = b[at]!
  return v > 127 ? v - 256 : v
}

export function u16be(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!
}

export function u16le(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8)
}

export function u32be(b: Uint8Array, at: number): number {
  // Multiply rather than shift the top byte: `<< 24` would make values over 2^31 negative.
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)
}
