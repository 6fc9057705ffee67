// A tiny RGB canvas and PNG encoder (node:zlib only), so the benches can draw their charts without
// gnuplot or a canvas package: PNG is the signature, IHDR, zlib-deflated scanlines (IDAT) and IEND, each
// chunk closed by a CRC-32 (PNG spec, sections 5.3 and 11.2).
import { deflateSync } from 'node:zlib'

export type Rgb = readonly [number, number, number]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

// 3x5 glyphs, one string of 15 bits per character (rows top to bottom): enough for axis labels.
const FONT: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001010010010',
  '8': '111101111101111',
  '9': '111101111001111',
  '.': '000000000000010',
  ',': '000000000010100',
  '/': '001001010100100',
  '-': '000000111000000',
  ' ': '000000000000000',
  a: '000110011101111',
  b: '100111101101111',
  c: '000111100100111',
  d: '001111101101111',
  e: '111101111100111',
  g: '111101111001111',
  h: '100111101101101',
  i: '010000010010010',
  k: '100101110101101',
  l: '100100100100111',
  m: '000111111101101',
  n: '000110101101101',
  o: '000111101101111',
  p: '111101111100100',
  q: '111101111001001',
  r: '000111100100100',
  s: '111100111001111',
  t: '010111010010011',
  u: '000101101101111',
  x: '000101010101101',
  y: '101101111001111',
}

export class Canvas {
  private readonly px: Buffer

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.px = Buffer.alloc(width * height * 3)
    for (let i = 0; i < width * height; i++) this.px.set(background, i * 3)
  }

  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x)
    const yi = Math.round(y)
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return
    this.px.set(c, (yi * this.width + xi) * 3)
  }

  /** A line of `thick` pixels, by sampling along its length (no anti-aliasing: a chart needs none). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)))
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps
      const y = y0 + ((y1 - y0) * i) / steps
      this.dot(x, y, c, thick)
    }
  }

  dot(x: number, y: number, c: Rgb, size = 3): void {
    const r = Math.floor(size / 2)
    for (let dx = -r; dx <= size - 1 - r; dx++)
      for (let dy = -r; dy <= size - 1 - r; dy++) this.set(x + dx, y + dy, c)
  }

  /** Text in the 3x5 font at `scale`; unknown characters are left blank. Returns the width drawn. */
  text(x: number, y: number, s: string, c: Rgb, scale = 2): number {
    let cx = x
    for (const ch of s.toLowerCase()) {
      const g = FONT[ch] ?? FONT[' ']!
      for (let i = 0; i < 15; i++)
        if (g[i] === '1')
          for (let sx = 0; sx < scale; sx++)
            for (let sy = 0; sy < scale; sy++)
              this.set(cx + (i % 3) * scale + sx, y + Math.floor(i / 3) * scale + sy, c)
      cx += 4 * scale
    }
    return cx - x
  }

  png(): Buffer {
    // Each scanline starts with its filter type; 0 (None) keeps the encoder trivial.
    const raw = Buffer.alloc((this.width * 3 + 1) * this.height)
    for (let y = 0; y < this.height; y++) {
      const start = y * (this.width * 3 + 1)
      raw[start] = 0
      this.px.copy(raw, start + 1, y * this.width * 3, (y + 1) * this.width * 3)
    }
    const ihdr = Buffer.alloc(13)
    ihdr.writeUInt32BE(this.width, 0)
    ihdr.writeUInt32BE(this.height, 4)
    ihdr[8] = 8 // bit depth
    ihdr[9] = 2 // colour type: RGB
    const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    return Buffer.concat([
      signature,
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ])
  }
}
